# ruff: noqa: S608  (interpolated names are catalog aliases and identifiers, all validated and quoted)
"""Unity Catalog catalogs as DuckDB databases: one attached database per catalog.

In memory the databases are in-memory; with a data directory each catalog is the
file ``<data_dir>/catalogs/<name>.duckdb``, attached again when the engine reopens.
Every catalog database holds a ``default`` schema and a hidden metadata schema.
All methods expect the caller to hold the engine's writer lock when they change state,
and run on the calling thread's own cursor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb

from appkit_adapters.local.errors import sql_error
from appkit_adapters.local.naming import (
    ALIAS_PREFIX,
    HIDDEN_SCHEMAS,
    HISTORY_SCHEMA,
    META_SCHEMA,
    catalog_of,
    check_identifier,
    database_alias,
    quote,
)
from appkit_domain.errors import Conflict, NotFound, PermissionDenied

_META_TABLES = (
    f"CREATE TABLE IF NOT EXISTS {{db}}.{quote(META_SCHEMA)}.tables ("
    "schema_name VARCHAR, table_name VARCHAR, table_type VARCHAR, data_source_format VARCHAR,"
    " comment VARCHAR, properties VARCHAR, column_comments VARCHAR, view_text VARCHAR,"
    " owner VARCHAR, created_at TIMESTAMPTZ)",
    f"CREATE TABLE IF NOT EXISTS {{db}}.{quote(META_SCHEMA)}.catalog ("
    "comment VARCHAR, owner VARCHAR, created_at TIMESTAMPTZ)",
    # table versions (appkit_adapters.local.history): one row per versioned table, one per version
    f"CREATE TABLE IF NOT EXISTS {{db}}.{quote(META_SCHEMA)}.versioned_tables ("
    "schema_name VARCHAR, table_name VARCHAR, table_id VARCHAR, columns VARCHAR,"
    " next_column INTEGER, readable_from BIGINT, created_at TIMESTAMPTZ)",
    f"CREATE TABLE IF NOT EXISTS {{db}}.{quote(META_SCHEMA)}.table_tags ("
    "schema_name VARCHAR, table_name VARCHAR, tag_name VARCHAR, tag_value VARCHAR)",
    f"CREATE TABLE IF NOT EXISTS {{db}}.{quote(META_SCHEMA)}.functions ("
    "schema_name VARCHAR, function_name VARCHAR, definition VARCHAR)",
    f"CREATE TABLE IF NOT EXISTS {{db}}.{quote(META_SCHEMA)}.table_versions ("
    "table_id VARCHAR, version BIGINT, committed_at TIMESTAMPTZ, principal VARCHAR,"
    " operation VARCHAR, parameters VARCHAR, metrics VARCHAR, read_version BIGINT,"
    " blind_append BOOLEAN, columns VARCHAR)",
)


def catalog_not_found(name: str) -> NotFound:
    error = sql_error(
        NotFound, "CATALOG_NOT_FOUND", "42704", f"The catalog `{name}` cannot be found."
    )
    assert isinstance(error, NotFound)
    return error


def read_only_catalog(name: str) -> PermissionDenied:
    error = sql_error(
        PermissionDenied,
        "INSUFFICIENT_PERMISSIONS",
        "42501",
        f"The catalog `{name}` is read-only: it is a shared sample dataset.",
    )
    assert isinstance(error, PermissionDenied)
    return error


class CatalogRegistry:
    """Creates, attaches, lists and drops catalog databases on one DuckDB instance."""

    def __init__(
        self, connection: Callable[[], duckdb.DuckDBPyConnection], data_dir: Path | None
    ) -> None:
        # a DuckDB connection serves one call at a time: ask for the caller thread's cursor
        self._connection = connection
        self._dir = None if data_dir is None else data_dir / "catalogs"
        self.read_only: set[str] = set()
        if self._dir is not None:
            self._dir.mkdir(parents=True, exist_ok=True)

    def _path(self, name: str) -> Path:
        assert self._dir is not None
        return self._dir / f"{name}.duckdb"

    def attach_existing(self) -> None:
        """Attach every catalog file found in the data directory."""
        if self._dir is None:
            return
        for path in sorted(self._dir.glob("*.duckdb")):
            name = path.stem
            if not self.exists(name):
                self._attach(name)

    def _attach(self, name: str) -> None:
        alias = quote(database_alias(name))
        location = ":memory:" if self._dir is None else str(self._path(name))
        self._connection().execute(f"ATTACH $location AS {alias}", {"location": location})
        self._connection().execute(f"CREATE SCHEMA IF NOT EXISTS {alias}.{quote(META_SCHEMA)}")
        self._connection().execute(f"CREATE SCHEMA IF NOT EXISTS {alias}.{quote(HISTORY_SCHEMA)}")
        for ddl in _META_TABLES:
            self._connection().execute(ddl.format(db=alias))

    def attach_file(self, name: str, path: Path) -> None:
        """Attach a catalog kept in a file elsewhere, read-only (a shared dataset)."""
        name = check_identifier(name, "catalog").lower()
        if self.exists(name):
            return
        alias = quote(database_alias(name))
        self._connection().execute(
            f"ATTACH $location AS {alias} (READ_ONLY)", {"location": str(path)}
        )
        self.read_only.add(name)

    def location(self, catalog: str, schema: str, table: str) -> str:
        """Where a table's data is kept, as a URI (the catalog's file, then schema and table)."""
        base = f"memory:/{catalog}" if self._dir is None else self._path(catalog).resolve().as_uri()
        return f"{base}/{schema}/{table}"

    def names(self) -> list[str]:
        rows = (
            self._connection()
            .execute(
                "SELECT database_name FROM duckdb_databases() WHERE starts_with(database_name, $p)"
                " ORDER BY database_name",
                {"p": ALIAS_PREFIX},
            )
            .fetchall()
        )
        return [name for (alias,) in rows if (name := catalog_of(alias)) is not None]

    def exists(self, name: str) -> bool:
        return name in self.names()

    def require(self, name: str) -> None:
        if not self.exists(name):
            raise catalog_not_found(name)

    def create(
        self, name: str, *, if_not_exists: bool, comment: str | None, owner: str, now: dt.datetime
    ) -> bool:
        """Create a catalog with a ``default`` schema; False if it existed and that was allowed."""
        name = check_identifier(name, "catalog").lower()
        if self.exists(name):
            if if_not_exists:
                return False
            raise sql_error(
                Conflict, "CATALOG_ALREADY_EXISTS", "42P04", f"Catalog `{name}` already exists."
            )
        self._attach(name)
        alias = quote(database_alias(name))
        self._connection().execute(f'CREATE SCHEMA IF NOT EXISTS {alias}."default"')
        self._connection().execute(
            f"INSERT INTO {alias}.{quote(META_SCHEMA)}.catalog VALUES ($comment, $owner, $at)",
            {"comment": comment, "owner": owner, "at": now},
        )
        return True

    def schemas(self, name: str) -> list[str]:
        self.require(name)
        rows = (
            self._connection()
            .execute(
                "SELECT schema_name FROM duckdb_schemas() WHERE database_name = $db ORDER BY 1",
                {"db": database_alias(name)},
            )
            .fetchall()
        )
        return [schema for (schema,) in rows if schema not in HIDDEN_SCHEMAS]

    def require_schema(self, catalog: str, schema: str) -> tuple[str, str]:
        """The validated, lower-case (catalog, schema); ``NotFound`` unless it exists."""
        catalog = check_identifier(catalog, "catalog").lower()
        schema = check_identifier(schema, "schema").lower()
        if schema not in self.schemas(catalog):
            raise sql_error(
                NotFound,
                "SCHEMA_NOT_FOUND",
                "42704",
                f"The schema `{catalog}`.`{schema}` cannot be found.",
            )
        return catalog, schema

    def drop(self, name: str, *, if_exists: bool, cascade: bool) -> bool:
        """Detach and delete a catalog; refuse a non-empty one without CASCADE."""
        name = check_identifier(name, "catalog").lower()
        if not self.exists(name):
            if if_exists:
                return False
            raise catalog_not_found(name)
        if name in self.read_only:
            raise read_only_catalog(name)
        if not cascade:
            non_empty = [schema for schema in self.schemas(name) if schema != "default"]
            tables = (
                self._connection()
                .execute(
                    "SELECT count(*) FROM duckdb_tables() WHERE database_name = $db"
                    " AND schema_name NOT IN ($meta, $history)",
                    {"db": database_alias(name), "meta": META_SCHEMA, "history": HISTORY_SCHEMA},
                )
                .fetchone()
            )
            if non_empty or (tables and tables[0]):
                raise sql_error(
                    Conflict,
                    "CATALOG_NOT_EMPTY",
                    "2BP01",
                    f"Cannot drop catalog `{name}` because it is not empty; use CASCADE.",
                )
        self._connection().execute(f"DETACH {quote(database_alias(name))}")
        if self._dir is not None:
            for suffix in ("", ".wal"):
                Path(str(self._path(name)) + suffix).unlink(missing_ok=True)
        return True
