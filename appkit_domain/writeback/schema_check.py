"""Checking a change's key and values against the table's real column types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from appkit_domain.errors import InvalidInput
from appkit_domain.writeback.column_types import ColumnValue, coerce_to_column
from appkit_domain.writeback.rules import TableRules


def coerce_change(
    rules: TableRules,
    column_types: Mapping[str, str],
    key: Mapping[str, Any],
    values: Mapping[str, Any],
) -> tuple[dict[str, ColumnValue], dict[str, ColumnValue]]:
    """Return ``(key, values)`` in canonical form for the table's column types.

    A configured column the table does not have, or a value its type does
    not admit, is ``InvalidInput`` naming the column.
    """
    types = {name.lower(): type_name for name, type_name in column_types.items()}
    table = rules.table.full_name

    def coerce(column: str, value: Any) -> ColumnValue:
        type_name = types.get(column.lower())
        if type_name is None:
            raise InvalidInput(
                f"column {column!r} does not exist in {table}",
                details={"table": table, "column": column},
            )
        return coerce_to_column(column, type_name, value)

    typed_key = {column: coerce(column, value) for column, value in key.items()}
    typed_values = {column: coerce(column, value) for column, value in values.items()}
    return typed_key, typed_values
