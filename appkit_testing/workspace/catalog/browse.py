"""Unity Catalog objects as JSON, read from the engine (catalogs, schemas, tables)."""

from __future__ import annotations

import json
from typing import Any

from appkit_domain.errors import NotFound
from appkit_testing.workspace.catalog.objects import METASTORE_ID
from appkit_testing.workspace.engine import SqlEngine, object_name
from appkit_testing.workspace.errors import not_found

_SPARK_TYPES = {
    "LONG": "long",
    "INT": "integer",
    "SHORT": "short",
    "BYTE": "byte",
    "STRING": "string",
    "BOOLEAN": "boolean",
    "DOUBLE": "double",
    "FLOAT": "float",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_NTZ": "timestamp_ntz",
    "BINARY": "binary",
}


def catalog_names(engine: SqlEngine) -> list[str]:
    return [object_name(item).lower() for item in engine.list_catalogs()]


def schema_names(engine: SqlEngine, catalog: str) -> list[str]:
    if catalog.lower() not in catalog_names(engine):
        raise not_found("CATALOG_DOES_NOT_EXIST", f"Catalog '{catalog}' does not exist.")
    return [object_name(item).lower() for item in engine.list_schemas(catalog.lower())]


def require_schema(engine: SqlEngine, catalog: str, schema: str) -> None:
    if schema.lower() not in schema_names(engine, catalog):
        raise not_found(
            "SCHEMA_DOES_NOT_EXIST", f"Schema '{catalog.lower()}.{schema.lower()}' does not exist."
        )


def catalog_json(name: str, owner: str) -> dict[str, Any]:
    return {
        "name": name,
        "full_name": name,
        "catalog_type": "MANAGED_CATALOG",
        "owner": owner,
        "metastore_id": METASTORE_ID,
        "securable_type": "CATALOG",
        "isolation_mode": "OPEN",
        "properties": {},
    }


def schema_json(catalog: str, name: str, owner: str) -> dict[str, Any]:
    return {
        "name": name,
        "catalog_name": catalog,
        "full_name": f"{catalog}.{name}",
        "catalog_type": "MANAGED_CATALOG",
        "owner": owner,
        "metastore_id": METASTORE_ID,
        "properties": {},
    }


def _column_json(column: Any, index: int) -> dict[str, Any]:
    type_name = str(getattr(column, "type_name", "STRING")).upper()
    type_text = str(getattr(column, "type_text", type_name)).lower()
    spark = _SPARK_TYPES.get(type_name, type_text)
    name = str(column.name)
    type_json = {"name": name, "type": spark, "nullable": True, "metadata": {}}
    return {
        "name": name,
        "type_name": type_name,
        "type_text": type_text,
        "type_json": json.dumps(type_json, separators=(",", ":")),
        "position": int(getattr(column, "position", index)),
        "nullable": True,
    }


def table_json(info: Any, full_name: str, owner: str, omit_columns: bool = False) -> dict[str, Any]:
    """The TableInfo JSON of an engine table description."""
    catalog, schema, name = full_name.lower().split(".")
    table_type = str(getattr(info, "table_type", "MANAGED")).upper()
    body: dict[str, Any] = {
        "name": name,
        "catalog_name": catalog,
        "schema_name": schema,
        "full_name": f"{catalog}.{schema}.{name}",
        "table_type": table_type,
        "owner": owner,
        "metastore_id": METASTORE_ID,
        "properties": dict(getattr(info, "properties", None) or {}),
    }
    if getattr(info, "comment", None):
        body["comment"] = info.comment
    if getattr(info, "view_definition", None):
        body["view_definition"] = info.view_definition
    created = getattr(info, "created_at", None)
    if created is not None:
        body["created_at"] = int(created.timestamp() * 1000)
        body["updated_at"] = body["created_at"]
    updated = getattr(info, "updated_at", None)
    if updated is not None:  # the latest table version, as DESCRIBE HISTORY shows it
        body["updated_at"] = int(updated.timestamp() * 1000)
    for key in ("updated_by", "table_id", "storage_location"):
        if getattr(info, key, None):
            body[key] = getattr(info, key)
    if table_type != "VIEW":
        body["data_source_format"] = "DELTA"
    if not omit_columns:
        columns = getattr(info, "columns", ()) or ()
        body["columns"] = [_column_json(column, i) for i, column in enumerate(columns)]
    return body


def get_table(engine: SqlEngine, full_name: str) -> Any:
    """The engine's description of ``full_name``; 404 ``TABLE_DOES_NOT_EXIST`` when missing."""
    try:
        return engine.get_table(full_name.lower())
    except NotFound:
        raise not_found("TABLE_DOES_NOT_EXIST", f"Table '{full_name}' does not exist.") from None


def tables(engine: SqlEngine, catalog: str, schema: str) -> list[Any]:
    require_schema(engine, catalog, schema)
    return list(engine.list_tables(catalog.lower(), schema.lower()))


def table_exists(engine: SqlEngine, full_name: str) -> bool:
    try:
        engine.get_table(full_name.lower())
    except NotFound:
        return False
    return True
