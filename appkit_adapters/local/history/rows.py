# ruff: noqa: S608  (interpolated names are validated, quoted identifiers; values are parameters)
"""Keeping a table's row-version table in step with the table, inside the writing transaction.

The row-version table holds, for every current row of the table, one image
with ``__appkit_to`` NULL. A write keeps that true at the cost of the rows it
touches, not of the table:

- before an ``UPDATE``/``DELETE``/``MERGE`` the row ids it may touch are
  noted (its own target condition, run as a query), and the current images
  equal to those rows are retired (``__appkit_to`` = the new version);
- after it, the rows now at those ids and every row appended by the
  statement are added as images of the new version. DuckDB gives the rows a
  transaction appends ids from a fixed base above every committed id
  (:func:`local_row_base` finds it), so the first write of a table in a
  transaction finds its appended rows by that base, and a later one by the
  largest id before it. (An update DuckDB runs as a delete and an insert, as it
  does for list columns, moves the row to such an id; it is found either way.)

Rows that compare equal are always touched together by a condition, so
retiring images by content never retires the wrong copy. A write that
rewrites the whole table (``INSERT OVERWRITE``, ``TRUNCATE``, ``RESTORE``,
``OPTIMIZE``, a replaced table) retires every current image and adds every
row again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import duckdb

from appkit_adapters.local.history.registry import FROM, TO, TableState

T = TypeVar("T")


def ident(name: str) -> str:
    """A column name as a DuckDB identifier (names come from the catalog, not from users' values)."""
    return '"' + name.replace('"', '""') + '"'


def _count(cursor: duckdb.DuckDBPyConnection) -> int:
    row = cursor.fetchone()
    return int(row[0]) if row else 0


def add_rows(
    cursor: duckdb.DuckDBPyConnection,
    state: TableState,
    version: int,
    where: str = "",
    values: dict[str, Any] | None = None,
) -> int:
    """Add the table's rows (those matching ``where``) as images of ``version``."""
    if not state.columns:
        return 0
    slots = ", ".join(ident(c.slot) for c in state.columns)
    names = ", ".join(ident(c.name) for c in state.columns)
    cursor.execute(
        f"INSERT INTO {state.history} ({slots}, {ident(FROM)}, {ident(TO)})"
        f" SELECT {names}, {int(version)}, NULL FROM {state.table}"
        + (f" WHERE {where}" if where else ""),
        values or {},
    )
    return _count(cursor)


def retire_all(cursor: duckdb.DuckDBPyConnection, state: TableState, version: int) -> int:
    cursor.execute(
        f"UPDATE {state.history} SET {ident(TO)} = {int(version)} WHERE {ident(TO)} IS NULL"
    )
    return _count(cursor)


INLINE_ROW_IDS = 1000
"""Row id lists up to this long are written into the statement (they are integers DuckDB
gave), which lets DuckDB fetch those rows directly; longer ones travel as a parameter."""


def _row_ids(touched: list[int], values: dict[str, Any]) -> str:
    if len(touched) <= INLINE_ROW_IDS:
        return "rowid IN (" + ", ".join(str(int(r)) for r in touched) + ")"
    values["touched"] = touched
    return "rowid IN (SELECT unnest($touched))"


def _retire_touched(
    cursor: duckdb.DuckDBPyConnection, state: TableState, version: int, touched: list[int]
) -> int:
    if not state.columns or not touched:
        return 0
    names = ", ".join(ident(c.name) for c in state.columns)
    same = " AND ".join(
        f"h.{ident(c.slot)} IS NOT DISTINCT FROM s.{ident(c.name)}" for c in state.columns
    )
    values: dict[str, Any] = {}
    distinct = "DISTINCT " if len(touched) > 1 else ""
    cursor.execute(
        f"UPDATE {state.history} AS h SET {ident(TO)} = {int(version)} FROM (SELECT {distinct}"
        f"{names} FROM {state.table} WHERE {_row_ids(touched, values)}) AS s"
        f" WHERE h.{ident(TO)} IS NULL AND {same}",
        values,
    )
    return _count(cursor)


def _largest_row_id(cursor: duckdb.DuckDBPyConnection, state: TableState) -> int:
    row = cursor.execute(f"SELECT coalesce(max(rowid), -1) FROM {state.table}").fetchone()
    return int(row[0]) if row else -1


def rewrite_all(
    cursor: duckdb.DuckDBPyConnection, state: TableState, version: int, write: Callable[[], T]
) -> tuple[T, int]:
    """Run ``write`` (which may replace every row) and re-add all rows; (result, rows changed)."""
    retired = retire_all(cursor, state, version)
    result = write()
    return result, retired + add_rows(cursor, state, version)


def capture(
    cursor: duckdb.DuckDBPyConnection,
    state: TableState,
    version: int,
    touched: str | None,
    touched_values: dict[str, Any],
    write: Callable[[], T],
    *,
    appends: bool = True,
    appended_from: int | None = None,
) -> tuple[T, int]:
    """Run the DML ``write`` keeping the row versions in step (see module docstring).

    ``touched`` is a query of the row ids the statement may change (None for a
    statement that only appends); ``appends`` False skips looking for appended
    rows (a ``DELETE``). ``appended_from`` is the smallest row id the statement's
    appended rows can have when known (the first write of the table in its
    transaction); otherwise the largest row id is read before the write.
    Returns the statement's result and how many images were retired or added
    (0: the statement changed nothing).
    """
    changed = 0
    rows: list[int] = []
    if touched is not None:
        found = cursor.execute(
            f"SELECT list(q.rowid) FROM ({touched}) AS q", touched_values
        ).fetchone()
        rows = list(found[0] or []) if found else []
        changed += _retire_touched(cursor, state, version, rows)
    low = None
    if appends:
        low = appended_from if appended_from is not None else _largest_row_id(cursor, state) + 1
    result = write()
    conditions: list[str] = []
    values: dict[str, Any] = {}
    if low is not None:
        conditions.append(f"rowid >= {int(low)}")
    if rows:
        conditions.append(_row_ids(rows, values))
    if conditions:
        changed += add_rows(cursor, state, version, " OR ".join(conditions), values)
    return result, changed


def local_row_base(cursor: duckdb.DuckDBPyConnection) -> int:
    """The row id DuckDB gives the first row a transaction appends to a table."""
    cursor.execute("CREATE TEMP TABLE IF NOT EXISTS appkit_row_base (x INTEGER)")
    cursor.execute("BEGIN TRANSACTION")
    try:
        cursor.execute("INSERT INTO temp.appkit_row_base VALUES (1)")
        row = cursor.execute("SELECT min(rowid) FROM temp.appkit_row_base").fetchone()
    finally:
        cursor.execute("ROLLBACK")
    cursor.execute("DROP TABLE temp.appkit_row_base")
    return int(row[0]) if row and row[0] is not None else 0


def live_files(cursor: duckdb.DuckDBPyConnection, state: TableState) -> tuple[int, int]:
    """(files, rows) of the current version: the local engine keeps the rows each version
    added together and counts each such group as one data file."""
    row = cursor.execute(
        f"SELECT count(DISTINCT {ident(FROM)}), count(*) FROM {state.history}"
        f" WHERE {ident(TO)} IS NULL"
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def text_bytes(cursor: duckdb.DuckDBPyConnection, source: str, columns: list[str]) -> int:
    """The size the local engine reports for rows: their length as text, in bytes."""
    if not columns:
        return 0
    row_text = "CAST(ROW(" + ", ".join(ident(c) for c in columns) + ") AS VARCHAR)"
    row = cursor.execute(f"SELECT coalesce(sum(strlen({row_text})), 0) FROM {source}").fetchone()
    return int(row[0]) if row else 0


def snapshot(state_columns: list[tuple[str, str]], history: str, version: int) -> str:
    """A query of the rows of ``version`` with their own column names (name, slot pairs)."""
    projections = ", ".join(f"{ident(slot)} AS {ident(name)}" for name, slot in state_columns)
    v = int(version)
    return (
        f"SELECT {projections} FROM {history} WHERE {ident(FROM)} <= {v}"
        f" AND ({ident(TO)} IS NULL OR {ident(TO)} > {v})"
    )
