"""DuckDB result types described the way the Statement Execution API describes them.

A Databricks ``TIMESTAMP`` is stored as DuckDB ``TIMESTAMPTZ`` (an instant, session
time zone UTC) and a ``TIMESTAMP_NTZ`` as DuckDB ``TIMESTAMP``. Integer type names
follow the wire enum: ``BIGINT`` is reported as type name ``LONG``, ``SMALLINT`` as
``SHORT`` and ``TINYINT`` as ``BYTE``; ``type_text`` keeps the SQL spelling.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from appkit_adapters.sql.warehouse import ColumnInfo
from appkit_domain.errors import InvalidInput

Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class DatabricksType:
    """One column type: the wire ``type_name`` and the SQL ``type_text``."""

    type_name: str
    type_text: str

    @property
    def ddl_text(self) -> str:
        """The lower-case spelling ``DESCRIBE`` and Unity Catalog use, e.g. ``decimal(10,2)``."""
        return self.type_text.lower().replace(": ", ":").replace(", ", ",")


_SCALARS: dict[str, DatabricksType] = {
    "boolean": DatabricksType("BOOLEAN", "BOOLEAN"),
    "tinyint": DatabricksType("BYTE", "TINYINT"),
    "smallint": DatabricksType("SHORT", "SMALLINT"),
    "integer": DatabricksType("INT", "INT"),
    "bigint": DatabricksType("LONG", "BIGINT"),
    "utinyint": DatabricksType("SHORT", "SMALLINT"),
    "usmallint": DatabricksType("INT", "INT"),
    "uinteger": DatabricksType("LONG", "BIGINT"),
    "ubigint": DatabricksType("DECIMAL", "DECIMAL(20,0)"),
    # DuckDB sums and counts integers into HUGEINT where Databricks answers BIGINT
    "hugeint": DatabricksType("LONG", "BIGINT"),
    "uhugeint": DatabricksType("LONG", "BIGINT"),
    "float": DatabricksType("FLOAT", "FLOAT"),
    "double": DatabricksType("DOUBLE", "DOUBLE"),
    "varchar": DatabricksType("STRING", "STRING"),
    "uuid": DatabricksType("STRING", "STRING"),
    "json": DatabricksType("STRING", "STRING"),
    "blob": DatabricksType("BINARY", "BINARY"),
    "date": DatabricksType("DATE", "DATE"),
    "timestamp with time zone": DatabricksType("TIMESTAMP", "TIMESTAMP"),
    "timestamp": DatabricksType("TIMESTAMP_NTZ", "TIMESTAMP_NTZ"),
    "timestamp_s": DatabricksType("TIMESTAMP_NTZ", "TIMESTAMP_NTZ"),
    "timestamp_ms": DatabricksType("TIMESTAMP_NTZ", "TIMESTAMP_NTZ"),
    "timestamp_ns": DatabricksType("TIMESTAMP_NTZ", "TIMESTAMP_NTZ"),
    "interval": DatabricksType("INTERVAL", "INTERVAL DAY TO SECOND"),
    "null": DatabricksType("NULL", "VOID"),
    '"null"': DatabricksType("NULL", "VOID"),
}


def databricks_type(duck_type: Any) -> DatabricksType:
    """Map a ``DuckDBPyType`` (from a cursor description) to its Databricks description."""
    type_id = str(duck_type.id).lower()
    if type_id == "decimal":
        precision, scale = (child[1] for child in duck_type.children)
        return DatabricksType("DECIMAL", f"DECIMAL({precision},{scale})")
    if type_id in ("list", "array"):
        element = databricks_type(duck_type.children[0][1])
        return DatabricksType("ARRAY", f"ARRAY<{element.type_text}>")
    if type_id == "map":
        key = databricks_type(duck_type.children[0][1])
        value = databricks_type(duck_type.children[1][1])
        return DatabricksType("MAP", f"MAP<{key.type_text}, {value.type_text}>")
    if type_id == "struct":
        fields = ", ".join(
            f"{name}: {databricks_type(child).type_text}" for name, child in duck_type.children
        )
        return DatabricksType("STRUCT", f"STRUCT<{fields}>")
    if type_id == "enum":
        return _SCALARS["varchar"]
    found = _SCALARS.get(type_id)
    if found is None:
        raise InvalidInput(
            f"[UNSUPPORTED_DATATYPE] the local engine cannot return a column of type {duck_type}",
            details={"error_class": "UNSUPPORTED_DATATYPE", "sql_state": "0A000"},
        )
    return found


def column_infos(description: Sequence[Sequence[Any]]) -> tuple[ColumnInfo, ...]:
    """Describe every result column of a DuckDB cursor description."""
    columns = []
    for position, entry in enumerate(description):
        described = databricks_type(entry[1])
        columns.append(
            ColumnInfo(
                name=str(entry[0]),
                type_name=described.type_name,
                type_text=described.type_text,
                position=position,
            )
        )
    return tuple(columns)


def _utc(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc)
    return value


def _text(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def value_converter(duck_type: Any) -> Converter | None:
    """A function that turns a DuckDB Python value into the contract's value, or None if
    the value is already right (the fast path for most columns)."""
    type_id = str(duck_type.id).lower()
    if type_id == "timestamp with time zone":
        return _utc
    if type_id == "uuid":
        return _text
    if type_id in ("list", "array"):
        inner = value_converter(duck_type.children[0][1])
        if inner is None:
            return None
        return lambda items: None if items is None else [inner(item) for item in items]
    if type_id == "map":
        key_fn = value_converter(duck_type.children[0][1]) or _same
        value_fn = value_converter(duck_type.children[1][1]) or _same
        if key_fn is _same and value_fn is _same:
            return None
        return lambda items: (
            None if items is None else {key_fn(k): value_fn(v) for k, v in items.items()}
        )
    if type_id == "struct":
        converters = {name: value_converter(child) for name, child in duck_type.children}
        if all(fn is None for fn in converters.values()):
            return None
        return lambda record: (
            None
            if record is None
            else {k: (converters.get(k) or _same)(v) for k, v in record.items()}
        )
    return None


def _same(value: Any) -> Any:
    return value


def row_converter(
    description: Sequence[Sequence[Any]],
) -> Callable[[tuple[Any, ...]], tuple[Any, ...]] | None:
    """Convert whole rows, or None when every column already has the right Python type."""
    converters = [value_converter(entry[1]) for entry in description]
    if all(fn is None for fn in converters):
        return None
    plan = [(index, fn) for index, fn in enumerate(converters) if fn is not None]

    def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for index, fn in plan:
            item = values[index]
            if item is not None:
                values[index] = fn(item)
        return tuple(values)

    return convert
