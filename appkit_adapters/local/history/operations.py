# ruff: noqa: S608  (interpolated names are validated, quoted identifiers; values are parameters)
"""DESCRIBE HISTORY, DESCRIBE DETAIL, RESTORE, OPTIMIZE and VACUUM on the local engine.

Results have Delta's columns and types. The writing commands run inside the
caller's transaction (under the writer lock) and record their versions like
any write:

- ``RESTORE`` makes the table hold a version's rows again, as a new version;
- ``OPTIMIZE`` compacts the current version's data files (see
  :func:`~appkit_adapters.local.history.rows.live_files`) into one, ordered by
  the ``ZORDER BY`` columns; the rows do not change, and a table already in one
  file gets no new version;
- ``VACUUM`` deletes the row images removed by versions committed longer ago
  than the retention (``RETAIN n HOURS``, else the table's
  ``delta.deletedFileRetentionDuration``, else 7 days); a retention shorter
  than the table's is refused, as Delta's retention check does. Versions
  whose rows it deleted can no longer be read. It logs ``VACUUM START`` and
  ``VACUUM END``; ``DRY RUN`` only lists what it would delete.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import duckdb
import sqlglot

from appkit_adapters.local.errors import sql_error, unsupported
from appkit_adapters.local.history import registry
from appkit_adapters.local.history.commands import (
    DescribeDetail,
    DescribeHistory,
    Optimize,
    Restore,
    Vacuum,
)
from appkit_adapters.local.history.registry import FROM, TO, TableState
from appkit_adapters.local.history.rows import (
    add_rows,
    ident,
    live_files,
    retire_all,
    text_bytes,
)
from appkit_adapters.local.history.transaction import TableVersions
from appkit_adapters.local.history.travel import resolve, version_query
from appkit_adapters.local.result_shape import shape_of
from appkit_adapters.local.tables import TableInfo
from appkit_adapters.sql.warehouse import StatementResult
from appkit_domain.errors import InvalidInput

DEFAULT_RETENTION = dt.timedelta(days=7)
RETENTION_PROPERTY = "delta.deletedFileRetentionDuration"
ISOLATION = "WriteSerializable"
ENGINE_INFO = "lakehouse-appkit-local-engine"
_MAP = "'\"MAP(VARCHAR, VARCHAR)\"'"
_JOB = (
    "STRUCT(jobId VARCHAR, jobName VARCHAR, jobRunId VARCHAR, runId VARCHAR,"
    " jobOwnerId VARCHAR, triggerType VARCHAR)"
)


def _query(cursor: duckdb.DuckDBPyConnection, sql: str, values: dict[str, Any]) -> StatementResult:
    return shape_of(cursor, sql, values).fetch(cursor, values, None)


def describe_history(
    cursor: duckdb.DuckDBPyConnection, state: TableState, command: DescribeHistory
) -> StatementResult:
    """Delta's history columns, newest version first."""
    limit = "" if command.limit is None else f" LIMIT {int(command.limit)}"
    sql = (
        'SELECT version, committed_at AS "timestamp", principal AS userId,'
        " principal AS userName, operation,"
        f" json_transform(parameters, {_MAP}) AS operationParameters,"
        f" CAST(NULL AS {_JOB}) AS job, CAST(NULL AS STRUCT(notebookId VARCHAR)) AS notebook,"
        " CAST(NULL AS VARCHAR) AS clusterId, read_version AS readVersion,"
        " $isolation AS isolationLevel, blind_append AS isBlindAppend,"
        f" json_transform(metrics, {_MAP}) AS operationMetrics,"
        " CAST(NULL AS VARCHAR) AS userMetadata, $engine AS engineInfo"
        f" FROM {registry.log_table(state.name.catalog)} WHERE table_id = $id"
        f" ORDER BY version DESC{limit}"
    )
    values = {"id": state.table_id, "isolation": ISOLATION, "engine": ENGINE_INFO}
    return _query(cursor, sql, values)


def table_features(properties: dict[str, str]) -> list[str]:
    prefix = "delta.feature."
    return sorted(
        key[len(prefix) :]
        for key, value in properties.items()
        if key.startswith(prefix) and str(value).lower() in ("supported", "enabled")
    )


def describe_detail(
    cursor: duckdb.DuckDBPyConnection,
    state: TableState,
    table: TableInfo,
    location: str,
    command: DescribeDetail,
) -> StatementResult:
    """Delta's detail row: format, id, name, location, times, files, size, properties."""
    files, _rows = live_files(cursor, state)
    size = text_bytes(cursor, state.table, [c.name for c in state.columns])
    properties = dict(table.properties)
    sql = (
        "SELECT 'delta' AS format, $id AS id, $name AS name, $description AS description,"
        " $location AS location, $created AS createdAt, $modified AS lastModified,"
        " CAST([] AS VARCHAR[]) AS partitionColumns, CAST([] AS VARCHAR[]) AS clusteringColumns,"
        " CAST($files AS BIGINT) AS numFiles, CAST($size AS BIGINT) AS sizeInBytes,"
        f" json_transform($properties, {_MAP}) AS properties,"
        " CAST(1 AS INTEGER) AS minReaderVersion, CAST(2 AS INTEGER) AS minWriterVersion,"
        " CAST($features AS VARCHAR[]) AS tableFeatures"
    )
    values = {
        "id": state.table_id,
        "name": command.table.full_name,
        "description": table.comment,
        "location": location,
        "created": table.created_at or state.created_at,
        "modified": state.latest_at,
        "files": files,
        "size": size,
        "properties": json.dumps(properties),
        "features": table_features(properties),
    }
    return _query(cursor, sql, values)


def restore(
    cursor: duckdb.DuckDBPyConnection,
    versions: TableVersions,
    state: TableState,
    command: Restore,
    timestamp_of: Callable[[str], dt.datetime],
) -> StatementResult:
    """Make the table hold the rows of the version ``command`` names, as a new version."""
    value: Any = command.value if command.kind == "VERSION" else timestamp_of(command.value)
    target = resolve(cursor, state, command.kind, value)
    entry_of = registry.version_entry(cursor, state, target)
    old_columns = entry_of.columns if entry_of is not None else state.columns
    if [(c.name.lower(), c.type) for c in old_columns] != [
        (c.name.lower(), c.type) for c in state.columns
    ]:
        raise unsupported("RESTORE to a version whose columns differ from the table's")
    parameters = {"version": str(target)} if command.kind == "VERSION" else {}
    if command.kind == "TIMESTAMP":
        parameters["timestamp"] = value.isoformat()
    entry = versions.open(state.name, "RESTORE", parameters)
    removed_files, _ = live_files(cursor, entry.state)
    removed_size = text_bytes(cursor, state.table, [c.name for c in state.columns])
    retire_all(cursor, entry.state, entry.version)
    names = ", ".join(ident(c.name) for c in state.columns)
    cursor.execute(f"DELETE FROM {state.table}")
    cursor.execute(
        f"INSERT INTO {state.table} ({names}) SELECT {names} FROM"
        f" ({version_query(cursor, state, target)}) AS restored"
    )
    add_rows(cursor, entry.state, entry.version)
    entry.changed = entry.forced = True
    size = text_bytes(cursor, state.table, [c.name for c in state.columns])
    restored_files = 1 if size else 0
    metrics = {
        "tableSizeAfterRestore": size,
        "numOfFilesAfterRestore": restored_files,
        "numRemovedFiles": removed_files,
        "numRestoredFiles": restored_files,
        "removedFilesSize": removed_size,
        "restoredFilesSize": size,
    }
    entry.count(**metrics)
    sql = "SELECT " + ", ".join(
        f"CAST(${key} AS BIGINT) AS {column}"
        for key, column in (
            ("tableSizeAfterRestore", "table_size_after_restore"),
            ("numOfFilesAfterRestore", "num_of_files_after_restore"),
            ("numRemovedFiles", "num_removed_files"),
            ("numRestoredFiles", "num_restored_files"),
            ("removedFilesSize", "removed_files_size"),
            ("restoredFilesSize", "restored_files_size"),
        )
    )
    return _query(cursor, sql, dict(metrics))


def optimize(
    cursor: duckdb.DuckDBPyConnection,
    versions: TableVersions,
    state: TableState,
    command: Optimize,
    location: str,
) -> StatementResult:
    """Compact the current version into one file, ordered by the ``ZORDER BY`` columns."""
    known = {c.name.lower(): c for c in state.columns}
    for column in command.zorder_by:
        if column not in known:
            raise sql_error(
                InvalidInput,
                "DELTA_ZORDERING_COLUMN_DOES_NOT_EXIST",
                "42703",
                f"Z-Ordering column `{column}` does not exist in the data schema of "
                f"`{state.name.full_name}`.",
            )
    files, rows = live_files(cursor, state)
    added = removed = 0
    if files > 1 or (command.zorder_by and files == 1 and rows > 1):
        parameters = {
            "predicate": "[]",
            "zOrderBy": json.dumps(list(command.zorder_by)),
            "auto": "false",
        }
        entry = versions.open(state.name, "OPTIMIZE", parameters)
        slots = ", ".join(ident(c.slot) for c in entry.state.columns)
        order = ", ".join(ident(known[c].slot) for c in command.zorder_by) or ident(FROM)
        live = f"{ident(TO)} IS NULL"
        cursor.execute(
            f"CREATE TEMP TABLE appkit_compacted AS SELECT {slots} FROM {entry.state.history}"
            f" WHERE {live} ORDER BY {order}"
        )
        try:
            retire_all(cursor, entry.state, entry.version)
            cursor.execute(
                f"INSERT INTO {entry.state.history} ({slots}, {ident(FROM)}, {ident(TO)})"
                f" SELECT {slots}, {int(entry.version)}, NULL FROM temp.appkit_compacted"
            )
        finally:
            cursor.execute("DROP TABLE IF EXISTS temp.appkit_compacted")
        added, removed = 1, files
        entry.changed = entry.forced = True
        entry.count(numAddedFiles=added, numRemovedFiles=removed, numBatches=1)
    sql = (
        "SELECT $path AS path, struct_pack(numFilesAdded := CAST($added AS BIGINT),"
        " numFilesRemoved := CAST($removed AS BIGINT), partitionsOptimized := CAST($parts AS"
        " BIGINT), numBatches := CAST($batches AS BIGINT), totalConsideredFiles :="
        " CAST($files AS BIGINT), totalFilesSkipped := CAST($skipped AS BIGINT),"
        " zOrderBy := CAST($zorder AS VARCHAR[])) AS metrics"
    )
    values = {
        "path": location,
        "added": added,
        "removed": removed,
        "parts": 1 if added else 0,
        "batches": 1 if added else 0,
        "files": files,
        "skipped": 0 if added else files,
        "zorder": list(command.zorder_by),
    }
    return _query(cursor, sql, values)


_DURATION = re.compile(
    r"\s*(?:interval\s+)?(\d+(?:\.\d+)?)\s*(second|minute|hour|day|week)s?\s*", re.I
)


def retention_of(properties: dict[str, str]) -> dt.timedelta:
    """The table's ``delta.deletedFileRetentionDuration`` (``interval 7 days``), else 7 days."""
    text = properties.get(RETENTION_PROPERTY)
    if text is None:
        return DEFAULT_RETENTION
    found = _DURATION.fullmatch(str(text))
    if found is None:
        raise InvalidInput(
            f"{RETENTION_PROPERTY} {text!r} is not a duration such as 'interval 7 days'"
        )
    return dt.timedelta(**{found.group(2).lower() + "s": float(found.group(1))})


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g}"


def vacuum(
    cursor: duckdb.DuckDBPyConnection,
    versions: TableVersions,
    state: TableState,
    table: TableInfo,
    command: Vacuum,
    location: str,
    now: dt.datetime,
) -> StatementResult:
    """Delete row images removed longer ago than the retention (see module docstring)."""
    configured = retention_of(table.properties)
    specified = (
        dt.timedelta(hours=command.retain_hours) if command.retain_hours is not None else None
    )
    if specified is not None and specified < configured:
        raise sql_error(
            InvalidInput,
            "DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT",
            "22023",
            f"VACUUM of `{state.name.full_name}` with a retention of {_hours(specified)} hours is"
            f" shorter than the table's {_hours(configured)} hours: readers or writers still using"
            " the files it would delete could fail or corrupt the table. Use a value not less"
            f" than {_hours(configured)} hours, or lower the table's {RETENTION_PROPERTY}.",
        )
    retention = specified or configured
    cutoff = now - retention
    log = registry.log_table(state.name.catalog)
    removable = (
        f"{ident(TO)} IS NOT NULL AND {ident(TO)} IN (SELECT version FROM {log}"
        " WHERE table_id = $id AND committed_at < $cutoff)"
    )
    bounds = {"id": state.table_id, "cutoff": cutoff}
    groups = cursor.execute(
        f"SELECT DISTINCT {ident(FROM)}, {ident(TO)} FROM {state.history} WHERE {removable}"
        " ORDER BY 1, 2",
        bounds,
    ).fetchall()
    paths = [f"{location}/part-v{int(a):05d}-v{int(b):05d}.parquet" for a, b in groups]
    if command.dry_run:
        return _query(cursor, "SELECT unnest(CAST($paths AS VARCHAR[])) AS path", {"paths": paths})
    parameters = {
        "retentionCheckEnabled": "true",
        "defaultRetentionMillis": str(int(configured.total_seconds() * 1000)),
        "specifiedRetentionMillis": str(int(retention.total_seconds() * 1000)),
    }
    start = versions.open(state.name, "VACUUM START", parameters)
    start.forced = True
    start.count(numFilesToDelete=len(groups))
    versions.finish()
    cursor.execute(f"DELETE FROM {state.history} WHERE {removable}", bounds)
    deleted = cursor.fetchone()
    end = versions.open(state.name, "VACUUM END", {"status": "COMPLETED"})
    end.forced = True
    end.count(numDeletedFiles=len(groups), numDeletedRowImages=int(deleted[0]) if deleted else 0)
    if groups:
        readable = max(state.readable_from, max(int(b) for _, b in groups))
        end.state = replace(end.state, readable_from=readable)
    return _query(cursor, "SELECT $path AS path", {"path": location})


def timestamp_reader(
    cursor: duckdb.DuckDBPyConnection, values: dict[str, Any]
) -> Callable[[str], dt.datetime]:
    """Evaluate a Databricks SQL timestamp expression (``RESTORE ... TIMESTAMP AS OF``), its
    ``:name`` markers bound to ``values``."""

    def read(text: str) -> dt.datetime:
        try:
            sql = sqlglot.transpile(text, read="databricks", write="duckdb")[0]
        except sqlglot.errors.SqlglotError:
            raise sql_error(
                InvalidInput, "DELTA_TIMESTAMP_INVALID", "42816", f"{text} is not a timestamp"
            ) from None
        used = {k: v for k, v in values.items() if f"${k}" in sql}
        row = cursor.execute(f"SELECT CAST(({sql}) AS TIMESTAMPTZ)", used).fetchone()
        if row is None or not isinstance(row[0], dt.datetime):
            raise sql_error(
                InvalidInput, "DELTA_TIMESTAMP_INVALID", "42816", f"{text} is not a timestamp"
            )
        return row[0]

    return read
