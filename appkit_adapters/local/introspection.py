"""Results of SHOW CATALOGS / SCHEMAS / TABLES and DESCRIBE TABLE, shaped like Databricks'.

Column names follow Databricks SQL: ``catalog``; ``databaseName``; ``database``,
``tableName``, ``isTemporary``; and ``col_name``, ``data_type``, ``comment``.
``LIKE`` patterns use Databricks' syntax: ``*`` matches anything, ``|`` separates
alternatives, matching is case-insensitive.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from appkit_adapters.local.tables import TableInfo
from appkit_adapters.sql.warehouse import ColumnInfo, StatementResult


def _columns(*specs: tuple[str, str]) -> tuple[ColumnInfo, ...]:
    return tuple(
        ColumnInfo(name=name, type_name=type_name, type_text=type_name, position=index)
        for index, (name, type_name) in enumerate(specs)
    )


def matches(pattern: str | None, name: str) -> bool:
    """Databricks ``LIKE`` pattern matching for SHOW statements."""
    if pattern is None:
        return True
    alternatives = [re.escape(part.strip()).replace(r"\*", ".*") for part in pattern.split("|")]
    return re.fullmatch("|".join(alternatives), name, flags=re.IGNORECASE) is not None


def show_catalogs(names: Sequence[str], pattern: str | None) -> StatementResult:
    rows = [(name,) for name in names if matches(pattern, name)]
    return StatementResult(columns=_columns(("catalog", "STRING")), rows=rows)


def show_schemas(names: Sequence[str], pattern: str | None) -> StatementResult:
    rows = [(name,) for name in names if matches(pattern, name)]
    return StatementResult(columns=_columns(("databaseName", "STRING")), rows=rows)


def show_tables(schema: str, names: Sequence[str], pattern: str | None) -> StatementResult:
    rows: list[tuple[Any, ...]] = [
        (schema, name, False) for name in names if matches(pattern, name)
    ]
    return StatementResult(
        columns=_columns(
            ("database", "STRING"), ("tableName", "STRING"), ("isTemporary", "BOOLEAN")
        ),
        rows=rows,
    )


def _ddl_text(column: ColumnInfo) -> str:
    return column.type_text.lower().replace(": ", ":").replace(", ", ",")


def describe(table: TableInfo, extended: bool) -> StatementResult:
    rows: list[tuple[Any, ...]] = [
        (column.name, _ddl_text(column), column.comment) for column in table.columns
    ]
    if extended:
        properties = ",".join(f"{key}={value}" for key, value in sorted(table.properties.items()))
        rows.append(("", "", ""))
        rows.append(("# Detailed Table Information", "", ""))
        details: list[tuple[str, str | None]] = [
            ("Catalog", table.catalog_name),
            ("Database", table.schema_name),
            ("Table", table.name),
            ("Owner", table.owner),
            ("Created Time", table.created_at.isoformat() if table.created_at else None),
            ("Type", table.table_type),
            ("Comment", table.comment),
            ("Provider", (table.data_source_format or "").lower() or None),
            ("Table Properties", f"[{properties}]" if properties else None),
            ("View Text", table.view_definition),
        ]
        rows.extend((key, value, "") for key, value in details if value is not None)
    return StatementResult(
        columns=_columns(("col_name", "STRING"), ("data_type", "STRING"), ("comment", "STRING")),
        rows=rows,
    )
