# ruff: noqa: S608  (interpolated names are catalog aliases and identifiers, all validated and quoted)
"""Where a table's versions are kept: its registry row, its row-version table, its version log.

Each versioned table has, in its own catalog database (so a write, its row
versions and its log entry commit in one DuckDB transaction):

- a row of ``__appkit.versioned_tables``: its id, the first version VACUUM
  left whole (``readable_from``), and how its columns map onto the
  row-version table (the latest version is read from the log);
- a row-version table ``__appkit_history."<id>"``: every row image the table
  ever held, with the version that added it (``__appkit_from``) and the one
  that removed it (``__appkit_to``, NULL while current). Its columns are named
  ``c0``, ``c1``, ...: a column that is renamed or changes type gets a new one,
  so every version keeps reading its own columns;
- rows of ``__appkit.table_versions``: one per version (time, principal,
  operation, parameters, metrics, the column map of that version).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb

from appkit_adapters.local.naming import (
    HISTORY_SCHEMA,
    META_SCHEMA,
    TableName,
    database_alias,
    quote,
    quote_name,
)

FROM = "__appkit_from"
TO = "__appkit_to"


@dataclass(frozen=True)
class Column:
    """A table column as versions see it: its name, DuckDB type and row-version column."""

    name: str
    type: str
    slot: str


@dataclass(frozen=True)
class TableState:
    """A versioned table's registry row."""

    name: TableName
    table_id: str
    columns: tuple[Column, ...]
    next_column: int
    latest_version: int
    latest_at: dt.datetime | None
    readable_from: int
    created_at: dt.datetime | None = None
    new: bool = field(default=False, compare=False)
    """True until the registry row is first written (a table whose history starts now)."""

    @property
    def history(self) -> str:
        """The quoted row-version table."""
        return quote_name(database_alias(self.name.catalog), HISTORY_SCHEMA, self.table_id)

    @property
    def table(self) -> str:
        """The quoted table itself."""
        return quote_name(database_alias(self.name.catalog), self.name.schema, self.name.table)


def columns_json(columns: tuple[Column, ...]) -> str:
    return json.dumps([[c.name, c.type, c.slot] for c in columns])


def columns_from_json(text: str | None) -> tuple[Column, ...]:
    return tuple(Column(str(n), str(t), str(s)) for n, t, s in json.loads(text or "[]"))


def _meta(catalog: str, table: str) -> str:
    return f"{quote(database_alias(catalog))}.{quote(META_SCHEMA)}.{quote(table)}"


def registry_table(catalog: str) -> str:
    return _meta(catalog, "versioned_tables")


def log_table(catalog: str) -> str:
    return _meta(catalog, "table_versions")


def table_columns(cursor: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """(name, DuckDB type) of every column of a quoted table, in order."""
    description = cursor.execute(f"SELECT * FROM {table} LIMIT 0").description or []
    return [(str(entry[0]), str(entry[1])) for entry in description]


def load(cursor: duckdb.DuckDBPyConnection, name: TableName) -> TableState | None:
    """The registry row of a table with its latest version, or None when its history has
    not started."""
    row = cursor.execute(
        "SELECT r.table_id, r.columns, r.next_column, r.readable_from, r.created_at,"
        f" (SELECT max(version) FROM {log_table(name.catalog)} AS l WHERE l.table_id = r.table_id),"
        f" (SELECT max(committed_at) FROM {log_table(name.catalog)} AS l WHERE l.table_id = r.table_id)"
        f" FROM {registry_table(name.catalog)} AS r WHERE schema_name = $s AND table_name = $t",
        {"s": name.schema, "t": name.table},
    ).fetchone()
    if row is None:
        return None
    table_id, columns, next_column, readable_from, created, latest, latest_at = row
    return TableState(
        name,
        str(table_id),
        columns_from_json(columns),
        int(next_column),
        -1 if latest is None else int(latest),
        latest_at,
        int(readable_from or 0),
        created,
    )


def start(cursor: duckdb.DuckDBPyConnection, name: TableName) -> TableState:
    """A new history for ``name`` (its row-version table created; registered on first save)."""
    state = TableState(name, "t" + uuid.uuid4().hex, (), 0, -1, None, 0, new=True)
    cursor.execute(f"CREATE TABLE {state.history} ({quote(FROM)} BIGINT, {quote(TO)} BIGINT)")
    return reconcile_columns(cursor, state)[0]


def reconcile_columns(
    cursor: duckdb.DuckDBPyConnection, state: TableState
) -> tuple[TableState, bool]:
    """Map the table's current columns onto row-version columns, adding those it lacks.

    A column keeps its slot while its name and type stay; any other column gets
    a new slot. Returns the new state and whether the mapping changed.
    """
    current = table_columns(cursor, state.table)
    by_name = {c.name.lower(): c for c in state.columns}
    columns: list[Column] = []
    next_column = state.next_column
    for name, duck_type in current:
        known = by_name.get(name.lower())
        if known is not None and known.type == duck_type:
            columns.append(Column(name, duck_type, known.slot))
            continue
        slot = f"c{next_column}"
        next_column += 1
        cursor.execute(f"ALTER TABLE {state.history} ADD COLUMN {quote(slot)} {duck_type}")
        columns.append(Column(name, duck_type, slot))
    changed = tuple(columns) != state.columns
    return replace(state, columns=tuple(columns), next_column=next_column), changed


def save(cursor: duckdb.DuckDBPyConnection, state: TableState, at: dt.datetime) -> None:
    """Write the registry row (insert for a new history, created ``at``)."""
    values: dict[str, Any] = {
        "id": state.table_id,
        "columns": columns_json(state.columns),
        "next": state.next_column,
        "readable": state.readable_from,
    }
    registry = registry_table(state.name.catalog)
    if state.new:
        cursor.execute(
            f"INSERT INTO {registry} VALUES ($s, $t, $id, $columns, $next, $readable, $at)",
            {**values, "s": state.name.schema, "t": state.name.table, "at": at},
        )
        return
    cursor.execute(
        f"UPDATE {registry} SET columns = $columns, next_column = $next,"
        " readable_from = $readable WHERE table_id = $id",
        values,
    )


@dataclass(frozen=True)
class NewVersion:
    """A log entry to write."""

    state: TableState
    version: int
    at: dt.datetime
    principal: str
    operation: str
    parameters: dict[str, str]
    metrics: dict[str, str]
    blind_append: bool = False


def append_versions(cursor: duckdb.DuckDBPyConnection, entries: list[NewVersion]) -> None:
    """Write log entries (of one catalog) in one statement."""
    if not entries:
        return
    rows, values = [], {}
    for n, entry in enumerate(entries):
        names = ("id", "v", "at", "who", "op", "params", "metrics", "read", "blind", "columns")
        rows.append("(" + ", ".join(f"${name}{n}" for name in names) + ")")
        version = entry.version
        for name, value in zip(
            names,
            (
                entry.state.table_id,
                version,
                entry.at,
                entry.principal,
                entry.operation,
                json.dumps(entry.parameters),
                json.dumps(entry.metrics),
                version - 1 if version > 0 else None,
                entry.blind_append,
                columns_json(entry.state.columns),
            ),
        ):
            values[f"{name}{n}"] = value
    catalog = entries[0].state.name.catalog
    cursor.execute(f"INSERT INTO {log_table(catalog)} VALUES {', '.join(rows)}", values)


def forget(cursor: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str | None) -> None:
    """Drop the history of one table, or of every table of a schema when ``table`` is None."""
    registry = registry_table(catalog)
    where, values = "schema_name = $s", {"s": schema}
    if table is not None:
        where, values = where + " AND table_name = $t", {"s": schema, "t": table}
    ids = [
        row[0]
        for row in cursor.execute(
            f"SELECT table_id FROM {registry} WHERE {where}", values
        ).fetchall()
    ]
    for table_id in ids:
        cursor.execute(
            f"DROP TABLE IF EXISTS {quote_name(database_alias(catalog), HISTORY_SCHEMA, table_id)}"
        )
        cursor.execute(f"DELETE FROM {log_table(catalog)} WHERE table_id = $id", {"id": table_id})
    cursor.execute(f"DELETE FROM {registry} WHERE {where}", values)


def rename(cursor: duckdb.DuckDBPyConnection, name: TableName, new_table: str) -> None:
    cursor.execute(
        f"UPDATE {registry_table(name.catalog)} SET table_name = $new"
        " WHERE schema_name = $s AND table_name = $t",
        {"s": name.schema, "t": name.table, "new": new_table},
    )


@dataclass(frozen=True)
class VersionEntry:
    """One row of a table's version log."""

    version: int
    committed_at: dt.datetime
    principal: str
    operation: str
    parameters: dict[str, str]
    metrics: dict[str, str]
    read_version: int | None
    blind_append: bool
    columns: tuple[Column, ...]


_ENTRY_COLUMNS = (
    "version, committed_at, principal, operation, parameters, metrics, read_version,"
    " blind_append, columns"
)


def _entry(row: tuple[Any, ...]) -> VersionEntry:
    v, at, who, op, params, metrics, read, blind, columns = row
    return VersionEntry(
        int(v),
        at.astimezone(dt.timezone.utc),
        str(who),
        str(op),
        json.loads(params or "{}"),
        json.loads(metrics or "{}"),
        None if read is None else int(read),
        bool(blind),
        columns_from_json(columns),
    )


def versions(
    cursor: duckdb.DuckDBPyConnection, state: TableState, *, limit: int | None = None
) -> list[VersionEntry]:
    """The version log, newest first (at most ``limit`` entries)."""
    values: dict[str, Any] = {"id": state.table_id}
    tail = ""
    if limit is not None:
        tail, values["limit"] = " LIMIT $limit", limit
    rows = cursor.execute(
        f"SELECT {_ENTRY_COLUMNS} FROM {log_table(state.name.catalog)} WHERE table_id = $id"
        " ORDER BY version DESC" + tail,
        values,
    ).fetchall()
    return [_entry(row) for row in rows]


def version_entry(
    cursor: duckdb.DuckDBPyConnection, state: TableState, version: int
) -> VersionEntry | None:
    row = cursor.execute(
        f"SELECT {_ENTRY_COLUMNS} FROM {log_table(state.name.catalog)}"
        " WHERE table_id = $id AND version = $v",
        {"id": state.table_id, "v": version},
    ).fetchone()
    return None if row is None else _entry(row)


def version_at(
    cursor: duckdb.DuckDBPyConnection, state: TableState, instant: dt.datetime
) -> int | None:
    """The latest version committed at or before ``instant``; None if none was."""
    row = cursor.execute(
        f"SELECT max(version) FROM {log_table(state.name.catalog)}"
        " WHERE table_id = $id AND committed_at <= $at",
        {"id": state.table_id, "at": instant},
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def first_version(cursor: duckdb.DuckDBPyConnection, state: TableState) -> int | None:
    row = cursor.execute(
        f"SELECT min(version) FROM {log_table(state.name.catalog)} WHERE table_id = $id",
        {"id": state.table_id},
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])
