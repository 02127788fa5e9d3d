"""Numeric typing where Databricks and DuckDB differ.

- CAST of a fractional number to an integer type truncates toward zero in Databricks;
  DuckDB rounds. Such casts get an explicit ``trunc`` around their operand.
- Division involving DECIMALs (and integers) gives a DECIMAL in Databricks, with the
  precision and scale Spark derives; DuckDB gives a DOUBLE. The quotient is cast to
  the Databricks type (computed in double precision: exact to about 15 digits).
- ``avg`` of DECIMAL(p, s) is DECIMAL(p + 4, s + 4) in Databricks, DOUBLE in DuckDB.

Operand types come from sqlglot's type annotation over the statement's tables (their
columns read from the engine), from literals as Databricks types them (``2.50`` is
DECIMAL(3,2)), and, for an unqualified column in a single-table query, from that
table. Where an operand type stays unknown the expression is left as DuckDB has it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.schema import MappingSchema

from appkit_adapters.local.semantics import projection_name

ColumnTypes = Callable[[exp.Table], list[tuple[str, str]]]

_INTEGRAL = {
    exp.DataType.Type.TINYINT,
    exp.DataType.Type.SMALLINT,
    exp.DataType.Type.INT,
    exp.DataType.Type.BIGINT,
}
_FRACTIONAL = {
    exp.DataType.Type.DECIMAL,
    exp.DataType.Type.DOUBLE,
    exp.DataType.Type.FLOAT,
}
_log = logging.getLogger(__name__)


def _schema(
    tree: exp.Expression, column_types: ColumnTypes
) -> dict[str, dict[str, dict[str, dict[str, str]]]]:
    schema: dict[str, dict[str, dict[str, dict[str, str]]]] = {}
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier) or not table.args.get("catalog"):
            continue
        try:
            columns = column_types(table)
        except Exception as error:  # a missing table fails later, with DuckDB's own error
            _log.debug("no column types for %s: %s", table.sql(), error)
            continue
        catalog, db = table.args["catalog"].name, table.args["db"].name
        schema.setdefault(catalog, {}).setdefault(db, {})[table.name] = dict(columns)
    return schema


def _single_source_type(column: exp.Column, schema: MappingSchema) -> exp.DataType | None:
    select = column.find_ancestor(exp.Select)
    source = select.args.get("from_") if select is not None else None
    if select is None or source is None or select.args.get("joins"):
        return None
    table = source.this
    if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
        return None
    try:
        found: exp.DataType = schema.get_column_type(table, column.name)
    except SqlglotError:
        return None
    return found


_INTEGER_DIGITS = {
    exp.DataType.Type.TINYINT: 3,
    exp.DataType.Type.SMALLINT: 5,
    exp.DataType.Type.INT: 10,
    exp.DataType.Type.BIGINT: 20,
}
Decimal = tuple[int, int]  # precision, scale


def _arithmetic_type(node: exp.Binary, schema: MappingSchema) -> exp.DataType | None:
    """Enough of the type of ``a + b`` and friends to tell fractional from integral."""
    sides = [_operand_type(node.this, schema), _operand_type(node.expression, schema)]
    if any(side is None for side in sides):
        return None
    kinds = {side.this for side in sides if side is not None}
    if kinds & {exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT}:
        return exp.DataType.build("DOUBLE")
    if exp.DataType.Type.DECIMAL in kinds:
        return exp.DataType.build("DECIMAL")
    if kinds <= set(_INTEGER_DIGITS):
        return exp.DataType.build("BIGINT")
    return None


def _operand_type(node: exp.Expression, schema: MappingSchema) -> exp.DataType | None:
    if isinstance(node, exp.Paren):
        return _operand_type(node.this, schema)
    if isinstance(node, (exp.Neg, exp.Max, exp.Min)):
        return _operand_type(node.this, schema)
    if isinstance(node, exp.Sum):
        summed = _operand_type(node.this, schema)
        decimal = _as_decimal(summed)
        if summed is not None and summed.this == exp.DataType.Type.DECIMAL and decimal:
            return _decimal((min(38, decimal[0] + 10), decimal[1]))
        return exp.DataType.build("BIGINT") if decimal else summed
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Mod)):
        return _arithmetic_type(node, schema)
    if isinstance(node, exp.Case) and node.args.get("default") is not None:
        guards = [branch.args.get("true") for branch in node.args.get("ifs") or []]
        if all(isinstance(g, exp.Anonymous) and str(g.this) == "error" for g in guards):
            return _operand_type(node.args["default"], schema)  # the division-by-zero guard
    if isinstance(node, exp.Literal) and not node.is_string:
        text = str(node.this).lstrip("-")
        if "e" in text.lower():
            return exp.DataType.build("DOUBLE")
        if "." in text:
            whole, fraction = text.split(".", 1)
            digits = len(whole.lstrip("0")) + len(fraction)
            return exp.DataType.build(f"DECIMAL({max(digits, 1)}, {len(fraction)})")
        return exp.DataType.build("BIGINT" if len(text) > 9 else "INT")
    if isinstance(node, exp.Cast) and isinstance(node.to, exp.DataType):
        return node.to
    found = node.type
    unknown = found is None or found.this == exp.DataType.Type.UNKNOWN
    if unknown and isinstance(node, exp.Column) and not node.table:
        return _single_source_type(node, schema)
    return found


def _as_decimal(data_type: exp.DataType | None) -> Decimal | None:
    """(precision, scale) of a DECIMAL or integer type; None for anything else."""
    if data_type is None:
        return None
    if data_type.this in _INTEGER_DIGITS:
        return _INTEGER_DIGITS[data_type.this], 0
    if data_type.this != exp.DataType.Type.DECIMAL:
        return None
    params = [int(p.name) for p in data_type.expressions]
    if len(params) != 2:
        return None
    return params[0], params[1]


def _bounded(precision: int, scale: int) -> Decimal:
    """Spark's adjustment when a result needs more than 38 digits (precision loss allowed)."""
    if precision <= 38:
        return precision, scale
    integral = precision - scale
    return 38, max(38 - integral, min(scale, 6))


def _decimal(precision_scale: Decimal) -> exp.DataType:
    return exp.DataType.build(f"DECIMAL({precision_scale[0]}, {precision_scale[1]})")


def _annotated(tree: exp.Expression, column_types: ColumnTypes) -> MappingSchema | None:
    try:
        tables: dict[str, Any] = _schema(tree, column_types)
        schema = MappingSchema(tables, dialect="duckdb")
        annotate_types(tree, schema=schema)
    except (SqlglotError, ValueError) as error:
        _log.debug("type annotation failed, numeric typing left to DuckDB: %s", error)
        return None
    return schema


def _fix_division(div: exp.Div, schema: MappingSchema) -> None:
    left = _operand_type(div.this, schema)
    right = _operand_type(div.expression, schema)
    dec_left, dec_right = _as_decimal(left), _as_decimal(right)
    if dec_left is None or dec_right is None:
        return
    if exp.DataType.Type.DECIMAL not in (left.this, right.this):  # type: ignore[union-attr]
        return  # integer / integer is DOUBLE in both engines
    (p1, s1), (p2, s2) = dec_left, dec_right
    scale = max(6, s1 + p2 + 1)
    result = _bounded(p1 - s1 + s2 + scale, scale)
    cast = exp.Cast(to=_decimal(result))
    div.replace(cast)
    cast.set("this", div)


def _fix_average(avg: exp.Avg, schema: MappingSchema) -> None:
    operand = _as_decimal(_operand_type(avg.this, schema))
    operand_type = _operand_type(avg.this, schema)
    if operand is None or operand_type is None or operand_type.this != exp.DataType.Type.DECIMAL:
        return
    precision, scale = operand
    cast = exp.Cast(to=_decimal((min(38, precision + 4), min(38, scale + 4))))
    avg.replace(cast)
    cast.set("this", avg)


def _keep_projection_names(tree: exp.Expression, rewritten: Sequence[exp.Expression]) -> None:
    """Alias unaliased projections that a rewrite would rename with their current names."""
    targets = {id(node) for node in rewritten}
    for select in tree.find_all(exp.Select):
        projections = []
        for projection in select.expressions:
            if not isinstance(projection, (exp.Alias, exp.Column, exp.Star)) and any(
                id(node) in targets for node in projection.find_all(exp.Cast, exp.Div, exp.Avg)
            ):
                name = projection_name(projection)
                projection = exp.alias_(projection, name, quoted=True, copy=False)
            projections.append(projection)
        select.set("expressions", projections)


def apply_numeric_typing(tree: exp.Expression, column_types: ColumnTypes) -> None:
    """Apply the rules in the module docstring to a statement tree, in place."""
    casts = [
        cast
        for cast in tree.find_all(exp.Cast)
        if isinstance(cast.to, exp.DataType) and cast.to.this in _INTEGRAL
    ]
    divisions = list(tree.find_all(exp.Div))
    averages = list(tree.find_all(exp.Avg))
    if not (casts or divisions or averages):
        return
    _keep_projection_names(tree, (*casts, *divisions, *averages))
    schema = _annotated(tree, column_types)
    if schema is None:
        return
    for div in reversed(divisions):
        _fix_division(div, schema)
    for avg in averages:
        _fix_average(avg, schema)
    for cast in casts:  # after the divisions, whose quotients are now typed casts
        operand = cast.this
        found = _operand_type(operand, schema)
        if found is not None and found.this in _FRACTIONAL:
            truncated = exp.Anonymous(this="trunc", expressions=[operand.copy()])
            cast.set("this", truncated)
