"""Time travel: ``FROM t VERSION AS OF n`` / ``TIMESTAMP AS OF ts`` read a table's old rows.

Parsing keeps each time-travelled table (:class:`TimeTravel`) in the tree.
Each time the statement is planned, the version it names is resolved against
the table's log (a timestamp picks the latest version committed at or before
it, as Delta does) and the table is replaced by a query of that version's row
images under that version's own column names. Delta's errors are kept: a
version that does not exist, a timestamp before the first commit or after the
last, and a version whose rows VACUUM removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from appkit_adapters.local.errors import sql_error, unsupported
from appkit_adapters.local.history import registry
from appkit_adapters.local.history.registry import TableState
from appkit_adapters.local.history.rows import snapshot
from appkit_domain.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class TimeTravel:
    """A table read as of a version or a timestamp (``expression`` is in the parsed tree)."""

    full_name: str
    kind: str  # VERSION or TIMESTAMP
    expression: exp.Expression


def _travelled(tree: exp.Expression) -> list[exp.Table]:
    return [t for t in tree.find_all(exp.Table) if t.args.get("version") is not None]


def collect(tree: exp.Expression, names: Sequence[str]) -> tuple[TimeTravel, ...]:
    """The time-travelled tables of a qualified tree; ``names`` are their full names in order."""
    found = []
    for table, full_name in zip(_travelled(tree), names):
        version = table.args["version"]
        kind = str(version.this).upper()
        if kind not in ("VERSION", "TIMESTAMP") or str(version.args.get("kind")).upper() != "AS OF":
            raise unsupported(f"time travel by {kind} {version.args.get('kind')}")
        found.append(TimeTravel(full_name, kind, version.expression))
    return tuple(found)


def substitute(tree: exp.Expression, snapshots: Sequence[str]) -> None:
    """Replace the time-travelled tables of ``tree`` (a fresh copy) by their snapshots."""
    for table, text in zip(_travelled(tree), snapshots):
        alias = table.alias or table.name
        query = sqlglot.parse_one(text, read="duckdb")
        table.replace(
            exp.Subquery(
                this=query, alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True))
            )
        )


def _version_error(name: str, version: int, first: int | None, latest: int) -> InvalidInput:
    error = sql_error(
        InvalidInput,
        "DELTA_VERSION_NOT_FOUND",
        "22003",
        f"Cannot time travel Delta table `{name}` to version {version}. "
        f"Available versions: [{first if first is not None else 0}, {latest}].",
    )
    assert isinstance(error, InvalidInput)
    return error


def _shown(at: dt.datetime) -> str:
    return at.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def resolve(cursor: duckdb.DuckDBPyConnection, state: TableState, kind: str, value: Any) -> int:
    """The version ``kind``/``value`` names, checked to exist and to be readable."""
    name = state.name.full_name
    first = registry.first_version(cursor, state)
    if kind == "TIMESTAMP":
        if not isinstance(value, dt.datetime):
            raise sql_error(
                InvalidInput,
                "DELTA_TIMESTAMP_INVALID",
                "42816",
                f"The provided timestamp ({value!r}) cannot be converted to a valid timestamp.",
            )
        instant = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        latest_at = state.latest_at
        if latest_at is not None and instant > latest_at:
            raise sql_error(
                InvalidInput,
                "DELTA_TIMESTAMP_GREATER_THAN_COMMIT",
                "42816",
                f"The provided timestamp ({_shown(instant)}) is after the latest version available"
                f" to this table ({_shown(latest_at)}). Use a timestamp before or at"
                f" {_shown(latest_at)}.",
            )
        found = registry.version_at(cursor, state, instant)
        if found is None:
            earliest = registry.version_entry(cursor, state, first) if first is not None else None
            shown = _shown(earliest.committed_at) if earliest else "its creation"
            raise sql_error(
                InvalidInput,
                "DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION",
                "42816",
                f"The provided timestamp ({_shown(instant)}) is before the earliest version"
                f" available to this table ({shown}). Use a timestamp after {shown}.",
            )
        version = found
    else:
        version = int(value)
    if first is None or not first <= version <= state.latest_version:
        raise _version_error(name, version, first, state.latest_version)
    if version < state.readable_from:
        raise sql_error(
            NotFound,
            "DELTA_FILE_NOT_FOUND_DETAILED",
            "42K03",
            f"Version {version} of `{name}` cannot be read: VACUUM deleted data files it "
            f"references. Versions from {state.readable_from} on can still be read.",
        )
    return version


def version_query(cursor: duckdb.DuckDBPyConnection, state: TableState, version: int) -> str:
    """The DuckDB query of ``version``'s rows under that version's column names."""
    entry = registry.version_entry(cursor, state, version)
    columns = entry.columns if entry is not None else state.columns
    return snapshot([(c.name, c.slot) for c in columns], state.history, version)


def evaluate(cursor: duckdb.DuckDBPyConnection, travel: TimeTravel, values: dict[str, Any]) -> Any:
    """The value of a travel's version number or timestamp expression."""
    expression = travel.expression
    if isinstance(expression, exp.Literal) and travel.kind == "VERSION":
        if expression.is_string or not str(expression.this).isdigit():
            raise sql_error(
                InvalidInput,
                "INVALID_TIME_TRAVEL_SPEC",
                "42K0E",
                "VERSION AS OF takes a non-negative version number.",
            )
        return int(expression.this)
    target = "BIGINT" if travel.kind == "VERSION" else "TIMESTAMPTZ"
    names = {node.name for node in expression.find_all(exp.Placeholder)}
    sql = expression.sql(dialect="duckdb")
    row = cursor.execute(
        f"SELECT CAST(({sql}) AS {target})", {k: v for k, v in values.items() if k in names}
    ).fetchone()
    return row[0] if row else None
