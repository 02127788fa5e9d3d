"""The shape of a query result: its columns, the SQL that fetches it fastest, and how rows
are turned into the contract's Python values.

DuckDB hands out ``TIMESTAMPTZ`` values an order of magnitude slower than plain
timestamps (it builds a zone-aware datetime per value), so a query whose top-level
result has such columns is wrapped to fetch them as UTC wall-clock timestamps, and
the UTC zone is attached in Python. Shapes are cached per SQL text and schema epoch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from appkit_adapters.local.types import column_infos, row_converter, value_converter
from appkit_adapters.sql.warehouse import ColumnInfo, StatementResult

Row = tuple[Any, ...]
_UTC = dt.timezone.utc
_INSTANT = "timestamp with time zone"


@dataclass(frozen=True)
class ResultShape:
    columns: tuple[ColumnInfo, ...]
    sql: str
    convert: Callable[[Row], Row] | None

    def fetch(
        self, cursor: duckdb.DuckDBPyConnection, values: dict[str, Any], row_limit: int | None
    ) -> StatementResult:
        """Run the query and return its rows (at most ``row_limit``, then ``truncated``)."""
        cursor.execute(self.sql, values)
        rows = cursor.fetchall() if row_limit is None else cursor.fetchmany(row_limit + 1)
        truncated = row_limit is not None and len(rows) > row_limit
        if truncated:
            rows = rows[:row_limit]
        if self.convert is not None:
            convert = self.convert
            rows = [convert(row) for row in rows]
        return StatementResult(columns=self.columns, rows=rows, truncated=truncated)


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _attach_utc(value: Any) -> Any:
    return value.replace(tzinfo=_UTC)


def _converter(plan: list[tuple[int, Callable[[Any], Any]]]) -> Callable[[Row], Row]:
    def convert(row: Row) -> Row:
        values = list(row)
        for index, fn in plan:
            item = values[index]
            if item is not None:
                values[index] = fn(item)
        return tuple(values)

    return convert


def shape_of(cursor: duckdb.DuckDBPyConnection, sql: str, values: dict[str, Any]) -> ResultShape:
    """Bind (not run) a query and decide how to fetch it (see module docstring)."""
    relation = cursor.sql(sql, params=values or None)
    description: Sequence[tuple[str, Any]] = list(zip(relation.columns, relation.types))
    columns = column_infos(description)
    instants = {
        i for i, (_, duck_type) in enumerate(description) if str(duck_type.id).lower() == _INSTANT
    }
    if not instants:
        return ResultShape(columns, sql, row_converter(description))
    aliases = [f"c{i}" for i in range(len(description))]
    projections = ", ".join(
        (f"CAST(q.{alias} AS TIMESTAMP)" if i in instants else f"q.{alias}")
        + f" AS {_sql_name(name)}"
        for i, (alias, (name, _)) in enumerate(zip(aliases, description))
    )
    wrapped = f"SELECT {projections} FROM ({sql}) AS q({', '.join(aliases)})"  # noqa: S608
    plan: list[tuple[int, Callable[[Any], Any]]] = []
    for index, (_, duck_type) in enumerate(description):
        fn = _attach_utc if index in instants else value_converter(duck_type)
        if fn is not None:
            plan.append((index, fn))
    return ResultShape(columns, wrapped, _converter(plan))
