# ruff: noqa: S608  (interpolated names are catalog aliases and identifiers, all validated and quoted)
"""Unity Catalog table descriptions read from the DuckDB catalog and the metadata schema.

Also writes the metadata a ``CREATE TABLE``/``CREATE VIEW`` carries (comment,
TBLPROPERTIES, column comments, owner, creation time) and forgets it on ``DROP``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import duckdb

from appkit_adapters.local.definitions import MetadataChange, TableDefinition
from appkit_adapters.local.errors import table_not_found
from appkit_adapters.local.naming import META_SCHEMA, TableName, database_alias, quote, quote_name
from appkit_adapters.local.types import databricks_type
from appkit_adapters.sql.warehouse import ColumnInfo


@dataclass(frozen=True)
class TableInfo:
    """A table or view as Unity Catalog describes it (the fields the toolkit uses)."""

    name: str
    catalog_name: str
    schema_name: str
    table_type: str  # MANAGED or VIEW
    columns: list[ColumnInfo]
    data_source_format: str | None = None
    comment: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    owner: str | None = None
    created_at: dt.datetime | None = None
    view_definition: str | None = None
    table_id: str | None = None
    """The id of the table's version history (Delta tables)."""
    updated_at: dt.datetime | None = None
    """When the table's latest version was committed."""
    updated_by: str | None = None
    """Who committed the latest version."""
    storage_location: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    """Unity Catalog tags (``ALTER TABLE ... SET TAGS``)."""

    @property
    def full_name(self) -> str:
        return f"{self.catalog_name}.{self.schema_name}.{self.name}"


def _meta_table(catalog: str) -> str:
    return f"{quote(database_alias(catalog))}.{quote(META_SCHEMA)}.tables"


def _tags_table(catalog: str) -> str:
    return f"{quote(database_alias(catalog))}.{quote(META_SCHEMA)}.table_tags"


def record_definition(
    cursor: duckdb.DuckDBPyConnection, definition: TableDefinition, owner: str, now: dt.datetime
) -> None:
    """Store a created table's metadata (inside the caller's transaction)."""
    name = TableName.parse(definition.full_name)
    meta = _meta_table(name.catalog)
    key = {"s": name.schema, "t": name.table}
    if definition.if_not_exists:
        existing = cursor.execute(
            f"SELECT count(*) FROM {meta} WHERE schema_name = $s AND table_name = $t",
            key,
        ).fetchone()
        if existing and existing[0]:
            return
    cursor.execute(f"DELETE FROM {meta} WHERE schema_name = $s AND table_name = $t", key)
    cursor.execute(
        f"INSERT INTO {meta} VALUES ($s, $t, $type, $format, $comment, $props, $cols, $view,"
        " $owner, $at)",
        {
            **key,
            "type": definition.table_type,
            "format": definition.data_source_format,
            "comment": definition.comment,
            "props": json.dumps(dict(definition.properties)),
            "cols": json.dumps(dict(definition.column_comments)),
            "view": definition.view_text,
            "owner": owner,
            "at": now,
        },
    )


def apply_change(
    cursor: duckdb.DuckDBPyConnection, change: MetadataChange, owner: str, now: dt.datetime
) -> None:
    """Apply an ALTER/COMMENT metadata change (inside the caller's transaction)."""
    name = TableName.parse(change.full_name)
    meta = _meta_table(name.catalog)
    key = {"s": name.schema, "t": name.table}
    if change.renamed_to is not None:
        for table in (meta, _tags_table(name.catalog)):
            cursor.execute(
                f"UPDATE {table} SET table_name = $new WHERE schema_name = $s AND table_name = $t",
                {**key, "new": change.renamed_to},
            )
        return
    if not table_names_include(cursor, name):
        raise table_not_found(name.full_name)
    row = cursor.execute(
        f"SELECT properties, column_comments FROM {meta} WHERE schema_name = $s AND table_name = $t",
        key,
    ).fetchone()
    if row is None:
        cursor.execute(
            f"INSERT INTO {meta} (schema_name, table_name, properties, column_comments, owner,"
            " created_at) VALUES ($s, $t, '{}', '{}', $owner, $at)",
            {**key, "owner": owner, "at": now},
        )
        row = ("{}", "{}")
    for tag, value in change.tags:
        tags = _tags_table(name.catalog)
        cursor.execute(
            f"DELETE FROM {tags} WHERE schema_name = $s AND table_name = $t AND tag_name = $k",
            {**key, "k": tag},
        )
        cursor.execute(f"INSERT INTO {tags} VALUES ($s, $t, $k, $v)", {**key, "k": tag, "v": value})
    properties = {**json.loads(row[0] or "{}"), **dict(change.properties)}
    comments = {**json.loads(row[1] or "{}"), **dict(change.column_comments)}
    cursor.execute(
        f"UPDATE {meta} SET properties = $p, column_comments = $c,"
        " comment = coalesce($comment, comment) WHERE schema_name = $s AND table_name = $t",
        {**key, "p": json.dumps(properties), "c": json.dumps(comments), "comment": change.comment},
    )


def table_names_include(cursor: duckdb.DuckDBPyConnection, name: TableName) -> bool:
    return any(table == name.table for table, _ in table_names(cursor, name.catalog, name.schema))


def forget_tables(
    cursor: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str | None
) -> None:
    """Drop metadata of one table, or of every table in a schema when ``table`` is None."""
    for meta in (_meta_table(catalog), _tags_table(catalog)):
        if table is None:
            cursor.execute(f"DELETE FROM {meta} WHERE schema_name = $s", {"s": schema})
        else:
            cursor.execute(
                f"DELETE FROM {meta} WHERE schema_name = $s AND table_name = $t",
                {"s": schema, "t": table},
            )


def table_names(
    cursor: duckdb.DuckDBPyConnection, catalog: str, schema: str
) -> list[tuple[str, str]]:
    """(name, table_type) of every table and view in a schema, sorted by name."""
    rows = cursor.execute(
        "SELECT table_name, 'MANAGED' FROM duckdb_tables() WHERE database_name = $db AND schema_name = $s"
        " UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views()"
        " WHERE database_name = $db AND schema_name = $s AND NOT internal ORDER BY 1",
        {"db": database_alias(catalog), "s": schema},
    ).fetchall()
    return [(str(name), str(kind)) for name, kind in rows]


def _metadata(cursor: duckdb.DuckDBPyConnection, name: TableName) -> dict[str, Any]:
    row = cursor.execute(
        f"SELECT data_source_format, comment, properties, column_comments, view_text, owner,"
        f" created_at FROM {_meta_table(name.catalog)} WHERE schema_name = $s AND table_name = $t",
        {"s": name.schema, "t": name.table},
    ).fetchone()
    if row is None:
        return {}
    keys = (
        "format",
        "comment",
        "properties",
        "column_comments",
        "view_text",
        "owner",
        "created_at",
    )
    return dict(zip(keys, row))


def describe_table(cursor: duckdb.DuckDBPyConnection, full_name: str) -> TableInfo:
    """Describe one table or view; ``NotFound`` when it does not exist."""
    name = TableName.parse(full_name.lower())
    kinds = dict(table_names(cursor, name.catalog, name.schema))
    table_type = kinds.get(name.table)
    if table_type is None:
        raise table_not_found(name.full_name)
    quoted = quote_name(database_alias(name.catalog), name.schema, name.table)
    description = cursor.execute(f"SELECT * FROM {quoted} LIMIT 0").description or []
    nullability = dict(
        cursor.execute(
            "SELECT column_name, is_nullable FROM duckdb_columns()"
            " WHERE database_name = $db AND schema_name = $s AND table_name = $t",
            {"db": database_alias(name.catalog), "s": name.schema, "t": name.table},
        ).fetchall()
    )
    meta = _metadata(cursor, name)
    comments = json.loads(meta["column_comments"]) if meta.get("column_comments") else {}
    columns = []
    for position, entry in enumerate(description):
        described = databricks_type(entry[1])
        column = str(entry[0])
        columns.append(
            ColumnInfo(
                name=column,
                type_name=described.type_name,
                type_text=described.type_text,
                position=position,
                nullable=bool(nullability.get(column, True)),
                comment=comments.get(column.lower()),
            )
        )
    created = meta.get("created_at")
    tags = dict(
        cursor.execute(
            f"SELECT tag_name, tag_value FROM {_tags_table(name.catalog)}"
            " WHERE schema_name = $s AND table_name = $t ORDER BY tag_name",
            {"s": name.schema, "t": name.table},
        ).fetchall()
    )
    return TableInfo(
        name=name.table,
        catalog_name=name.catalog,
        schema_name=name.schema,
        table_type=table_type,
        columns=columns,
        data_source_format=meta.get("format") or (None if table_type == "VIEW" else "DELTA"),
        comment=meta.get("comment"),
        properties=json.loads(meta["properties"]) if meta.get("properties") else {},
        owner=meta.get("owner"),
        created_at=created.astimezone(dt.timezone.utc)
        if isinstance(created, dt.datetime)
        else None,
        view_definition=meta.get("view_text"),
        tags={str(k): str(v) for k, v in tags.items()},
    )
