"""Generator functions in a SELECT list: one input row becomes several rows or columns.

Databricks lets ``explode``, ``explode_outer``, ``posexplode``, ``inline``, ``stack`` and
``json_tuple`` stand in a projection. Each becomes DuckDB ``UNNEST`` projections (several
``UNNEST`` in one SELECT advance together), named as Databricks names them: ``col``;
``key`` and ``value`` for a map; ``pos`` and ``col``; ``col1``... for ``inline`` (the struct
fields); ``col0``... for ``stack``; ``c0``... for ``json_tuple``; or the names given with
``AS (a, b)``.
"""

from __future__ import annotations

from sqlglot import exp

from appkit_adapters.local.arrays import kind_of
from appkit_adapters.local.templates import call_arguments, fill, literal_int

GENERATORS = frozenset(
    {
        "explode",
        "explode_outer",
        "posexplode",
        "posexplode_outer",
        "inline",
        "inline_outer",
        "stack",
        "json_tuple",
    }
)


def generator_name(node: exp.Expr) -> str | None:
    """The Databricks generator a node calls, or None."""
    if isinstance(node, exp.Anonymous):
        name = str(node.this).lower()
    elif isinstance(node, exp.Func):
        name = {"_explodeouter": "explode_outer", "posexplodeouter": "posexplode_outer"}.get(
            node.key, node.key
        )
    else:
        return None
    return name if name in GENERATORS else None


def _names(projection: exp.Expr, defaults: list[str]) -> list[str]:
    if isinstance(projection, exp.Alias):
        alias = projection.args.get("alias")
        columns = alias.args.get("columns") if isinstance(alias, exp.TableAlias) else None
        if columns:
            return [str(c.name) for c in columns]
        return [str(projection.alias)]
    return defaults


def _named(value: exp.Expr, name: str) -> exp.Expr:
    return exp.Alias(this=value, alias=exp.to_identifier(name, quoted=True))


def _outer(value: exp.Expr) -> exp.Expr:
    return fill("CASE WHEN len(_1) > 0 THEN _1 ELSE [NULL] END", value)


def expand(name: str, args: list[exp.Expr], projection: exp.Expr) -> list[exp.Expr]:
    """The projections that stand for one generator call."""
    first = args[0] if args else exp.Null()
    outer = name.endswith("_outer")
    if name in ("explode", "explode_outer") and kind_of(first) == "map":
        keys, values = fill("map_keys(_1)", first), fill("map_values(_1)", first)
        if outer:
            keys, values = _outer(keys), _outer(values)
        names = _names(projection, ["key", "value"])
        return [
            _named(exp.Unnest(expressions=[keys]), names[0]),
            _named(exp.Unnest(expressions=[values]), names[-1]),
        ]
    if name in ("explode", "explode_outer"):
        items = _outer(first) if outer else first
        return [_named(exp.Unnest(expressions=[items]), _names(projection, ["col"])[0])]
    if name in ("posexplode", "posexplode_outer"):
        items = _outer(first) if outer else first
        names = _names(projection, ["pos", "col"])
        positions = fill("list_transform(_1, (__v, __i) -> CAST(__i - 1 AS INT))", items)
        return [
            _named(exp.Unnest(expressions=[positions]), names[0]),
            _named(exp.Unnest(expressions=[items]), names[-1]),
        ]
    if name in ("inline", "inline_outer"):
        items = _outer(first) if outer else first
        return [fill("unnest(_1, recursive := true)", items)]
    if name == "stack":
        count = literal_int(first)
        stacked: list[exp.Expr] = list(args[1:])
        if count is None or count <= 0:
            return []
        width = -(-len(stacked) // count)
        rows = []
        for row in range(count):
            cells: list[exp.Expr] = stacked[row * width : (row + 1) * width]
            cells += [exp.Null() for _ in range(width - len(cells))]
            fields = [
                exp.PropertyEQ(this=exp.to_identifier(f"col{i}"), expression=cell.copy())
                for i, cell in enumerate(cells)
            ]
            rows.append(exp.Anonymous(this="struct_pack", expressions=fields))
        return [fill("unnest(_1, recursive := true)", exp.Array(expressions=rows))]
    # json_tuple(json, key...): one row, one text column per key
    names = _names(projection, [f"c{i}" for i in range(len(args) - 1)])
    out = []
    for index, key in enumerate(args[1:]):
        path = fill("'$.\"' || _1 || '\"'", key)
        out.append(_named(fill("json_extract_string(_1, _2)", first, path), names[index]))
    return out


def _outer_laterals(tree: exp.Expr) -> None:
    """``LATERAL VIEW OUTER explode(a)`` keeps a row (with NULL) where ``a`` is empty."""
    for lateral in tree.find_all(exp.Lateral):
        call = lateral.this
        if lateral.args.get("outer") and isinstance(call, (exp.Explode, exp.Posexplode)):
            call.set("this", _outer(call.this))
            lateral.set("outer", None)


def expand_generators(tree: exp.Expr) -> None:
    """Replace every generator projection of every SELECT, in place."""
    _outer_laterals(tree)
    for select in tree.find_all(exp.Select):
        projections: list[exp.Expr] = []
        changed = False
        for projection in select.expressions:
            call = projection.this if isinstance(projection, exp.Alias) else projection
            name = generator_name(call)
            if name is None:
                projections.append(projection)
                continue
            projections.extend(expand(name, call_arguments(call), projection))
            changed = True
        if changed:
            select.set("expressions", projections)
