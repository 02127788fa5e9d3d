"""Array, map and higher-order functions with Databricks semantics, rewritten for DuckDB.

What a plain translation gets wrong and this keeps as Databricks defines it:

- lambda indexes are 0-based (``transform(a, (x, i) -> ...)``, ``filter``);
- ``array_distinct``, ``array_union``, ``array_intersect``, ``array_except`` keep first
  occurrence order and one NULL; ``array_remove`` keeps NULLs; ``array_contains`` is NULL
  when the value is absent but a NULL is present; ``array_position`` is 0 when absent;
- ``arr[i]`` is 0-based and fails with ``INVALID_ARRAY_INDEX`` out of bounds;
  ``element_at`` is 1-based (negative from the end) and fails with
  ``INVALID_ARRAY_INDEX_IN_ELEMENT_AT``; ``try_element_at`` and ``get`` give NULL;
- ``sequence(5, 1)`` counts down and ``sequence`` over dates yields dates;
- ``size`` and ``cardinality`` of a map count its entries; ``reverse`` reverses arrays;
- ``array_sort`` takes a comparator; ``exists(array, x -> ...)`` tests the elements;
- ``array_repeat``, ``forall``, ``zip_with``, ``map_zip_with``, ``map_filter``, ``transform_keys``,
  ``transform_values``, ``str_to_map``, ``shuffle`` and ``aggregate`` with a finish
  function exist.
"""

from __future__ import annotations

from sqlglot import exp

from appkit_adapters.local.templates import apply_lambda, fill, variable

_ARRAY_INDEX = (
    "'[INVALID_ARRAY_INDEX] The index ' || CAST(_2 AS VARCHAR) || ' is out of bounds. The"
    " array has ' || CAST(len(_1) AS VARCHAR) || ' elements. Use the SQL function `get()` to"
    " tolerate accessing element at invalid index and return NULL instead.'"
)
_ELEMENT_AT = (
    "'[INVALID_ARRAY_INDEX_IN_ELEMENT_AT] The index ' || CAST(_2 AS VARCHAR) || ' is out of"
    " bounds. The array has ' || CAST(len(_1) AS VARCHAR) || ' elements. Use `try_element_at`"
    " to tolerate accessing element at invalid index and return NULL instead.'"
)
DISTINCT = "list_filter(_1, (__v, __i) -> list_position(_1, __v) = __i)"


def kind_of(node: exp.Expr) -> str | None:
    """``array``, ``map`` or None (unknown), from the node itself or its annotated type."""
    if isinstance(node, (exp.Array, exp.ArrayDistinct, exp.GenerateSeries, exp.Split)):
        return "array"
    if isinstance(node, (exp.Map, exp.VarMap, exp.MapFromEntries, exp.StrToMap)):
        return "map"
    found = node.type
    if found is not None and found.this in (exp.DataType.Type.ARRAY, exp.DataType.Type.LIST):
        return "array"
    if found is not None and found.this == exp.DataType.Type.MAP:
        return "map"
    if isinstance(node, exp.Anonymous) and str(node.this).lower() in (
        "array_repeat",
        "array_union",
        "array_except",
        "array_intersect",
        "map_keys",
        "map_values",
    ):
        return "array"
    return None


def _index_shift(function: exp.Expr) -> exp.Expr:
    """A two-parameter lambda whose index parameter counts from 0, as in Databricks."""
    if not isinstance(function, exp.Lambda) or len(function.expressions) != 2:
        return function
    value = str(function.expressions[0].name)
    shifted = apply_lambda(function, [variable(value), fill("(__i - 1)")])
    return exp.Lambda(
        this=shifted, expressions=[exp.to_identifier(value), exp.to_identifier("__i")]
    )


def bracket(node: exp.Bracket) -> exp.Expr | None:
    if len(node.expressions) != 1:
        return None
    base, index = node.this, node.expressions[0]
    if kind_of(base) == "map":
        return None
    if kind_of(base) != "array" and not node.args.get("offset"):
        return None
    if node.args.get("offset") == 1:  # element_at / try_element_at: 1-based, negative from the end
        position = "CASE WHEN _2 < 0 THEN len(_1) + _2 + 1 ELSE _2 END"
        if node.args.get("safe"):
            return fill(
                f"CASE WHEN _2 = 0 OR abs(_2) > len(_1) THEN NULL ELSE _1[{position}] END",
                base,
                index,
            )
        return fill(
            f"CASE WHEN _2 = 0 OR abs(_2) > len(_1) THEN error({_ELEMENT_AT}) ELSE _1[{position}] END",
            base,
            index,
        )
    if node.args.get("safe"):
        return fill("CASE WHEN _2 >= 0 AND _2 < len(_1) THEN _1[_2 + 1] END", base, index)
    return fill(
        f"CASE WHEN _2 < 0 OR _2 >= len(_1) THEN error({_ARRAY_INDEX}) ELSE _1[_2 + 1] END",
        base,
        index,
    )


def _sequence(node: exp.GenerateSeries) -> exp.Expr | None:
    start, end, step = node.args.get("start"), node.args.get("end"), node.args.get("step")
    if start is None or end is None:
        return None
    dated = isinstance(start, exp.Cast) and start.to.is_type("date")
    dated = dated or (start.type is not None and start.type.is_type("date"))
    if dated:
        step = step or fill("INTERVAL 1 DAY")
        return fill(
            "CAST(generate_series(CAST(_1 AS TIMESTAMP), CAST(_2 AS TIMESTAMP), _3) AS DATE[])",
            start,
            end,
            step,
        )
    if step is None:
        return fill(
            "CASE WHEN _1 <= _2 THEN generate_series(_1, _2) ELSE generate_series(_1, _2, -1) END",
            start,
            end,
        )
    return None


def _reduce(node: exp.Reduce) -> exp.Expr:
    merge, finish = node.args["merge"], node.args.get("finish")
    reduced = fill("list_reduce(_1, _2, _3)", node.this, merge, node.args["initial"])
    if isinstance(finish, exp.Lambda):
        return apply_lambda(finish, [reduced])
    return reduced


def _zip_with(args: list[exp.Expr]) -> exp.Expr | None:
    if len(args) != 3 or not isinstance(args[2], exp.Lambda):
        return None
    body = apply_lambda(args[2], [fill("_1[__i + 1]", args[0]), fill("_1[__i + 1]", args[1])])
    return fill(
        "list_transform(range(greatest(len(_1), len(_2))), __i -> _3)", args[0], args[1], body
    )


def _map_zip_with(args: list[exp.Expr]) -> exp.Expr | None:
    if len(args) != 3 or not isinstance(args[2], exp.Lambda):
        return None
    body = apply_lambda(args[2], [fill("__k"), fill("_1[__k]", args[0]), fill("_1[__k]", args[1])])
    keys = DISTINCT.replace("_1", "list_concat(map_keys(_1), map_keys(_2))")
    return fill(
        f"map_from_entries(list_transform({keys}, __k -> struct_pack(key := __k, value := _3)))",
        args[0],
        args[1],
        body,
    )


def _sorted_by(array: exp.Expr, compare: exp.Lambda) -> exp.Expr:
    """``array_sort(a, (l, r) -> ...)``: each element's place is how many elements sort
    before it (ties kept in order), so any consistent comparator gives a stable sort."""
    order = apply_lambda(compare, [fill("_1[__j]", array), fill("_1[__i]", array)])
    ranks = (
        "list_transform(range(1, len(_1) + 1), __i -> len(list_filter(range(1, len(_1) + 1),"
        " __j -> _2 < 0 OR (_2 = 0 AND __j < __i))))"
    )
    return fill(
        f"list_transform(range(len(_1)), __p -> _1[list_position({ranks}, __p)])", array, order
    )


def _map_lambda(args: list[exp.Expr], template: str) -> exp.Expr | None:
    if len(args) != 2 or not isinstance(args[1], exp.Lambda):
        return None
    body = apply_lambda(args[1], [fill("__e.key"), fill("__e.value")])
    return fill(template, args[0], body)


def _arrays_zip(node: exp.ArraysZip) -> exp.Expr:
    arrays = node.expressions
    longest = "greatest(" + ", ".join(f"len(_{i + 1})" for i in range(len(arrays))) + ")"
    fields = ", ".join(f'"{i}" := _{i + 1}[__i + 1]' for i in range(len(arrays)))
    if len(arrays) == 1:
        longest = "len(_1)"
    return fill(f"list_transform(range({longest}), __i -> struct_pack({fields}))", *arrays)


def _str_to_map(args: list[exp.Expr]) -> exp.Expr:
    text = args[0]
    pairs = args[1] if len(args) > 1 else exp.Literal.string(",")
    keys = args[2] if len(args) > 2 else exp.Literal.string(":")
    return fill(
        "map_from_entries(list_transform(string_split(_1, _2), __v -> struct_pack(key :="
        " split_part(__v, _3, 1), value := CASE WHEN strpos(__v, _3) > 0 THEN"
        " substr(__v, strpos(__v, _3) + length(_3)) END)))",
        text,
        pairs,
        keys,
    )


_INSERT = (
    "CASE WHEN _2 = 0 THEN error('[INVALID_INDEX_OF_ZERO] The index 0 is invalid. An index"
    " shall be either < 0 or > 0 (the first element has index 1).')"
    " WHEN _2 > 0 AND _2 <= len(_1) + 1 THEN list_concat(list_slice(_1, 1, _2 - 1), [_3],"
    " list_slice(_1, _2, len(_1)))"
    " WHEN _2 > 0 THEN list_concat(_1, list_transform(range(_2 - len(_1) - 1), __i -> NULL), [_3])"
    " WHEN len(_1) + 2 + _2 >= 1 THEN list_concat(list_slice(_1, 1, len(_1) + 1 + _2), [_3],"
    " list_slice(_1, len(_1) + 2 + _2, len(_1)))"
    " ELSE list_concat([_3], list_transform(range(-(len(_1) + 1 + _2)), __i -> NULL), _1) END"
)
"""``array_insert``: 1-based; past the end pads with NULLs; negative counts from the end
(-1 appends); 0 fails."""


def by_class(node: exp.Expr) -> exp.Expr | None:
    """The rewrite of a typed sqlglot node, or None to leave it."""
    if isinstance(node, exp.Exists) and isinstance(node.expression, exp.Lambda):
        tested = "list_transform(_1, _2)"
        return fill(
            f"CASE WHEN list_bool_or({tested}) THEN true"
            f" WHEN list_position({tested}, NULL) IS NOT NULL THEN NULL ELSE false END",
            node.this,
            node.expression,
        )
    if isinstance(node, exp.ArrayInsert):
        return fill(_INSERT, node.this, node.args["position"], node.expression)
    if isinstance(node, exp.Bracket):
        return bracket(node)
    if isinstance(node, (exp.Transform, exp.ArrayFilter)):
        node.set("expression", _index_shift(node.expression))
        return None
    if isinstance(node, exp.ArrayDistinct):
        return fill(DISTINCT, node.this)
    if isinstance(node, exp.ArrayRemove):
        return fill(
            "CASE WHEN _2 IS NULL THEN NULL ELSE list_filter(_1, __v -> __v IS NULL OR __v <> _2) END",
            node.this,
            node.expression,
        )
    if isinstance(node, exp.ArrayContains):
        return fill(
            "CASE WHEN _1 IS NULL OR _2 IS NULL THEN NULL WHEN list_contains(_1, _2) THEN true"
            " WHEN list_position(_1, NULL) IS NOT NULL THEN NULL ELSE false END",
            node.this,
            node.expression,
        )
    if isinstance(node, exp.ArrayPosition):
        return fill(
            "CASE WHEN _1 IS NULL OR _2 IS NULL THEN NULL"
            " ELSE CAST(coalesce(list_position(_1, _2), 0) AS BIGINT) END",
            node.this,
            node.expression,
        )
    if isinstance(node, exp.GenerateSeries):
        return _sequence(node)
    if isinstance(node, exp.Reduce):
        return _reduce(node)
    if isinstance(node, exp.ArraysZip):
        return _arrays_zip(node)
    if isinstance(node, exp.MapContainsKey):
        return fill("list_contains(map_keys(_1), _2)", node.this, node.args["key"])
    if isinstance(node, exp.StrToMap):
        delimiters = [node.args[k] for k in ("pair_delim", "key_value_delim") if node.args.get(k)]
        return _str_to_map([node.this, *delimiters])
    if isinstance(node, exp.ArraySize) and kind_of(node.this) == "map":
        return fill("CAST(cardinality(_1) AS INT)", node.this)
    if isinstance(node, exp.Reverse) and kind_of(node.this) == "array":
        return fill("list_reverse(_1)", node.this)
    if isinstance(node, exp.Shuffle):
        return fill(
            "list_transform(list_sort(list_transform(_1, __v -> struct_pack(k := random(),"
            " v := __v))), __e -> __e.v)",
            node.this,
        )
    return None


_TEMPLATES = {
    "array_repeat": "list_transform(range(greatest(_2, 0)), __i -> _1)",
    "array_union": DISTINCT.replace("_1", "list_concat(_1, _2)"),
    "array_intersect": f"list_filter({DISTINCT}, __e -> list_contains(_2, __e))",
    "array_except": f"list_filter({DISTINCT}, __e -> NOT coalesce(list_contains(_2, __e), false))",
    "arrays_overlap": "list_has_any(_1, _2)",
    "get": "CASE WHEN _2 >= 0 AND _2 < len(_1) THEN _1[_2 + 1] END",
    "forall": "coalesce(list_bool_and(list_transform(_1, _2)), true)",
}


def by_name(name: str, args: list[exp.Expr]) -> exp.Expr | None:
    """The rewrite of a call by its Databricks name, or None to leave it."""
    if name in _TEMPLATES:
        return fill(_TEMPLATES[name], *args)
    if name == "zip_with":
        return _zip_with(args)
    if name == "map_zip_with":
        return _map_zip_with(args)
    if name == "array_sort" and len(args) == 2 and isinstance(args[1], exp.Lambda):
        return _sorted_by(args[0], args[1])
    if name == "map_filter":
        return _map_lambda(args, "map_from_entries(list_filter(map_entries(_1), __e -> _2))")
    if name == "transform_keys":
        return _map_lambda(
            args,
            "map_from_entries(list_transform(map_entries(_1), __e -> struct_pack(key := _2,"
            " value := __e.value)))",
        )
    if name == "transform_values":
        return _map_lambda(
            args,
            "map_from_entries(list_transform(map_entries(_1), __e -> struct_pack(key := __e.key,"
            " value := _2)))",
        )
    if name == "str_to_map":
        return _str_to_map(args)
    return None
