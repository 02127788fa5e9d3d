"""A whole row in one statement parameter: JSON text unpacked in SQL with ``get_json_object``.

Databricks takes at most 256 parameters per statement, and one commit may
carry dozens of rows; so each aggregate row travels as one ``STRING``
parameter holding its columns as JSON, and SQL reads each column back with
``get_json_object(:w3, '$.column')`` (``CAST`` to the column's type when it is
not a string). Values stay parameters: only our own validated column names
and types are written into the statement text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from appkit_adapters.sql.warehouse import SqlParameter
from appkit_domain.audit.chain import format_time
from appkit_domain.identifiers import check_identifier, quote

_TEXT_TYPES = frozenset({"STRING"})


def json_value(value: Any) -> Any:
    """A parameter value as JSON (times as UTC ISO text, decimals as text)."""
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def pack(params: Sequence[SqlParameter], **extra: Any) -> str:
    """The JSON text of ``params`` (name -> value) and ``extra`` fields."""
    body = {p.name: json_value(p.value) for p in params}
    body.update({name: json_value(value) for name, value in extra.items()})
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def field_of(marker: str, name: str, sql_type: str = "STRING") -> str:
    """SQL reading field ``name`` of the packed parameter ``marker`` as ``sql_type``."""
    check_identifier(name, "packed field")
    if not marker.startswith(":") and not marker.replace(".", "").replace("`", "").isidentifier():
        raise ValueError(f"not a marker or column: {marker!r}")
    text = f"get_json_object({marker}, '$.{name}')"
    base = sql_type.upper().split("(")[0]
    return text if base in _TEXT_TYPES else f"CAST({text} AS {sql_type.upper()})"


def assignments(marker: str, columns: Mapping[str, str]) -> str:
    """``col = <field>, ...`` setting every column from the packed parameter."""
    return ", ".join(f"{quote(c)} = {field_of(marker, c, t)}" for c, t in columns.items())


def selections(marker: str, columns: Mapping[str, str]) -> str:
    """``<field> AS col, ...`` for every column (a one-row ``SELECT`` of the packed row)."""
    return ", ".join(f"{field_of(marker, c, t)} AS {quote(c)}" for c, t in columns.items())
