"""CAST of a fractional number to an integer type truncates toward zero in Databricks;
DuckDB rounds. Such casts get an explicit ``trunc`` around their operand.

Operand types come from sqlglot's type annotation over the statement's tables (their
columns read from the engine) and, for an unqualified column in a single-table
query, from that table. A cast whose operand type stays unknown is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.schema import MappingSchema

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


def truncate_integral_casts(tree: exp.Expression, column_types: ColumnTypes) -> None:
    """Wrap fractional operands of integer casts in ``trunc`` (see module docstring)."""
    casts = [
        cast
        for cast in tree.find_all(exp.Cast)
        if isinstance(cast.to, exp.DataType) and cast.to.this in _INTEGRAL
    ]
    if not casts:
        return
    try:
        tables: dict[str, Any] = _schema(tree, column_types)
        schema = MappingSchema(tables, dialect="duckdb")
        annotate_types(tree, schema=schema)
    except (SqlglotError, ValueError) as error:
        _log.debug("type annotation failed, integer casts left as written: %s", error)
        return
    for cast in casts:
        operand = cast.this
        kind = operand.type.this if operand.type is not None else None
        unknown = kind in (None, exp.DataType.Type.UNKNOWN)
        if unknown and isinstance(operand, exp.Column) and not operand.table:
            resolved = _single_source_type(operand, schema)
            kind = resolved.this if resolved is not None else None
        if kind in _FRACTIONAL:
            truncated = exp.Anonymous(this="trunc", expressions=[operand.copy()])
            cast.set("this", truncated)
