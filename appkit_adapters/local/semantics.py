"""Databricks SQL semantics that a plain transpilation to DuckDB would get wrong.

Applied to the parsed tree before rendering:

- ``date_add(d, n)`` / ``date_sub`` / ``add_months`` return DATE (DuckDB would give a
  timestamp);
- ``range(...)`` yields a column ``id``;
- ``dayofweek`` counts Sunday as 1 (DuckDB counts from 0);
- ``to_utc_timestamp`` / ``from_utc_timestamp`` convert wall clocks the Databricks way
  and return TIMESTAMP; ``format_string`` formats printf-style;
- ``UPDATE SET t.col = ...`` may name the target's alias (DuckDB takes bare names);
- division by zero fails with ``[DIVIDE_BY_ZERO]`` as under ANSI mode (DuckDB would
  return infinity); ``try_divide`` keeps returning NULL.
"""

from __future__ import annotations

from sqlglot import exp

DIVIDE_BY_ZERO = "[DIVIDE_BY_ZERO] Division by zero. Use `try_divide` to tolerate divisor being 0."


def _checked_divisor(divisor: exp.Expression) -> exp.Expression:
    raise_error = exp.Anonymous(this="error", expressions=[exp.Literal.string(DIVIDE_BY_ZERO)])
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.EQ(this=divisor.copy(), expression=exp.Literal.number(0)), true=raise_error
            )
        ],
        default=divisor.copy(),
    )


def projection_name(projection: exp.Expression) -> str:
    """The name DuckDB and Databricks give an unaliased projection, e.g. ``(a / b)``,
    ``avg(x)``, ``CAST(x AS INT)``."""
    name = str(projection.sql(dialect="duckdb", normalize_functions="lower"))
    return f"({name})" if isinstance(projection, exp.Binary) else name


def _name_divisions(tree: exp.Expression) -> None:
    """Keep result column names readable when a projection's division gets checked."""
    for select in tree.find_all(exp.Select):
        projections = []
        for projection in select.expressions:
            if not isinstance(projection, exp.Alias) and projection.find(exp.Div):
                name = projection_name(projection)
                projection = exp.alias_(projection, name, quoted=True)
            projections.append(projection)
        select.set("expressions", projections)


def _default_unix_timestamp(node: exp.StrToUnix) -> None:
    """``unix_timestamp(x)`` without a format accepts timestamps as well as strings."""
    if node.args.get("format") is not None and "%Y-%m" not in node.args["format"].name:
        return
    if node.args.get("format") is not None and node.args["format"].name.replace("strict", "") != (
        "%Y-%m-%d %H:%M:%S"
    ):
        return
    instant = exp.Cast(this=node.this.copy(), to=exp.DataType.build("TIMESTAMPTZ"))
    seconds = exp.Cast(
        this=exp.Anonymous(this="epoch", expressions=[instant]), to=exp.DataType.build("BIGINT")
    )
    node.replace(seconds)


def _timestamptz(node: exp.Expression) -> exp.Expression:
    return exp.Cast(this=node, to=exp.DataType.build("TIMESTAMPTZ"))


def _time_zone_function(node: exp.Expression) -> exp.Expression:
    """to_utc_timestamp(ts, tz): ts's UTC wall clock read as local time in tz.
    from_utc_timestamp(ts, tz): the wall clock in tz of the instant ts, as a timestamp."""
    zone = node.args["zone"].copy()
    value = node.this.copy()
    if isinstance(node, exp.FromTimeZone):
        wall = exp.Cast(this=value, to=exp.DataType.build("TIMESTAMP"))
        return exp.Anonymous(this="timezone", expressions=[zone, wall])
    shifted = exp.Anonymous(this="timezone", expressions=[zone, _timestamptz(value)])
    return _timestamptz(shifted)


def _wrap(node: exp.Expression, wrapper: exp.Expression) -> None:
    node.replace(wrapper)
    wrapper.set("this", node)


def _as_bigint(value: exp.Expression) -> exp.Expression:
    """``range()`` takes BIGINT arguments; Databricks casts others implicitly (truncating)."""
    if isinstance(value, exp.Literal) and not value.is_string and "." not in str(value.this):
        return value
    return exp.Cast(
        this=exp.Anonymous(this="trunc", expressions=[value.copy()]),
        to=exp.DataType.build("BIGINT"),
    )


def _range_with_id(table: exp.Table) -> None:
    """Databricks' ``range()`` yields one BIGINT column ``id``; DuckDB's is named ``range``."""
    call = table.this.copy()
    call.set("expressions", [_as_bigint(arg) for arg in call.expressions])
    rows = exp.select(exp.alias_(exp.column("range"), "id", quoted=True)).from_(
        exp.Table(this=call)
    )
    alias = table.args.get("alias")
    table.replace(exp.Subquery(this=rows, alias=alias.copy() if alias else None))


def _flat_rows(values: exp.Values) -> None:
    """``VALUES (('a', 10)), ...``: a row written as one parenthesised tuple is that tuple."""
    for row in values.expressions:
        if (
            isinstance(row, exp.Tuple)
            and len(row.expressions) == 1
            and isinstance(row.expressions[0], exp.Tuple)
        ):
            row.set("expressions", [e.copy() for e in row.expressions[0].expressions])


def values_query(values: exp.Values) -> exp.Select:
    """A ``VALUES`` statement as the query Databricks runs: columns ``col1``, ``col2``..."""
    rows = values.expressions
    width = len(rows[0].expressions) if rows and isinstance(rows[0], exp.Tuple) else 1
    alias = exp.TableAlias(
        this=exp.to_identifier("values"),
        columns=[exp.to_identifier(f"col{i + 1}") for i in range(width)],
    )
    inline = values.copy()
    inline.set("alias", alias)
    return exp.select("*").from_(inline)


def apply_databricks_semantics(tree: exp.Expression) -> exp.Expression:
    """Rewrite the constructs listed in the module docstring, in place; returns the tree."""
    for values in tree.find_all(exp.Values):
        _flat_rows(values)
    for table in list(tree.find_all(exp.Table)):
        if isinstance(table.this, exp.Anonymous) and str(table.this.this).lower() == "range":
            _range_with_id(table)
    if tree.find(exp.Div):
        _name_divisions(tree)
    for update in tree.find_all(exp.Update):
        for assignment in update.expressions:
            target = assignment.this if isinstance(assignment, exp.EQ) else None
            if isinstance(target, exp.Column) and target.args.get("table") is not None:
                target.set("table", None)
    # innermost first, so a rewritten node never hides one nested inside it
    for node in reversed(
        list(
            tree.find_all(
                exp.TsOrDsAdd,
                exp.AddMonths,
                exp.DayOfWeek,
                exp.Div,
                exp.StrToUnix,
                exp.FromTimeZone,
                exp.AtTimeZone,
                exp.Format,
            )
        )
    ):
        if isinstance(node, (exp.FromTimeZone, exp.AtTimeZone)):
            node.replace(_time_zone_function(node))
            continue
        if isinstance(node, exp.Format):
            node.replace(
                exp.Anonymous(
                    this="printf",
                    expressions=[node.this.copy(), *(e.copy() for e in node.expressions)],
                )
            )
            continue
        if isinstance(node, exp.StrToUnix):
            _default_unix_timestamp(node)
            continue
        if isinstance(node, (exp.TsOrDsAdd, exp.AddMonths)):
            _wrap(node, exp.Cast(to=exp.DataType.build("DATE")))
        elif isinstance(node, exp.DayOfWeek):
            plus_one = exp.Add(expression=exp.Literal.number(1))
            node.replace(exp.Paren(this=plus_one))
            plus_one.set("this", node)
        elif isinstance(node, exp.Div) and not node.args.get("safe"):
            divisor = node.expression
            if (
                isinstance(divisor, exp.Literal)
                and not divisor.is_string
                and divisor.this not in ("0", 0)
            ):
                continue
            node.set("expression", _checked_divisor(divisor))
    return tree
