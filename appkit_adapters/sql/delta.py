# ruff: noqa: S608  (only validated, backtick-quoted names and integers are interpolated; values are parameters)
"""Delta table operations over a SQL warehouse: history, detail, time travel, OPTIMIZE,
VACUUM, RESTORE.

The same SQL runs on a Databricks SQL warehouse and on the local engine. Table
names are validated and backtick-quoted; a version number is an integer the
caller gave and is written as one (Databricks takes no parameter marker
there); a timestamp travels as a parameter. Rows come back as dicts whose
values are JSON-ready (maps decoded, times as ISO text).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from appkit_adapters.sql.stores.values import string
from appkit_adapters.sql.warehouse import SqlParameter, SqlWarehouse
from appkit_domain.errors import InvalidInput
from appkit_domain.identifiers import TableName, quote

MAX_HISTORY = 1000
MAX_RETAIN_HOURS = 24 * 365 * 10


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, str) and value[:1] in "{[":
        try:  # a map or struct read through JSON_ARRAY arrives as JSON text
            return json.loads(value)
        except ValueError:
            return value
    return value


def _rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


@dataclass(frozen=True)
class AsOf:
    """A table version named by number or by time (exactly one)."""

    version: int | None = None
    timestamp: dt.datetime | None = None

    def __post_init__(self) -> None:
        if (self.version is None) == (self.timestamp is None):
            raise InvalidInput("give a version or a timestamp, not both and not neither")
        if self.version is not None and (isinstance(self.version, bool) or self.version < 0):
            raise InvalidInput("a table version is a whole number, 0 or more")
        if self.timestamp is not None and self.timestamp.tzinfo is None:
            raise InvalidInput("a timestamp needs its time zone (e.g. 2025-01-31T12:00:00Z)")

    def clause(self, marker: str = "as_of") -> tuple[str, list[SqlParameter]]:
        if self.version is not None:
            return f"VERSION AS OF {int(self.version)}", []
        assert self.timestamp is not None
        text = self.timestamp.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        return f"TIMESTAMP AS OF :{marker}", [string(marker, text)]


class DeltaTables:
    """Delta operations on the tables ``warehouse`` can reach, as whoever it runs as."""

    def __init__(self, warehouse: SqlWarehouse) -> None:
        self.warehouse = warehouse

    async def history(
        self, table: TableName | str, *, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """``DESCRIBE HISTORY``: the table's versions, newest first (at most ``limit``)."""
        name = _name(table)
        tail = ""
        if limit is not None:
            if not 1 <= limit <= MAX_HISTORY:
                raise InvalidInput(f"limit is 1 to {MAX_HISTORY}")
            tail = f" LIMIT {int(limit)}"
        result = await self.warehouse.execute(
            f"DESCRIBE HISTORY {name.quoted}{tail}", idempotent=True
        )
        return _rows(result.dicts())

    async def detail(self, table: TableName | str) -> dict[str, Any]:
        """``DESCRIBE DETAIL``: format, id, location, files, size, properties."""
        result = await self.warehouse.execute(
            f"DESCRIBE DETAIL {_name(table).quoted}", idempotent=True
        )
        rows = _rows(result.dicts())
        return rows[0] if rows else {}

    async def rows_as_of(
        self,
        table: TableName | str,
        as_of: AsOf,
        key: Mapping[str, Any] | None = None,
        *,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """The rows of a version (those matching ``key``, columns to values, when given)."""
        name = _name(table)
        clause, params = as_of.clause()
        conditions = []
        for n, (column, value) in enumerate((key or {}).items()):
            marker = f"k{n}"
            conditions.append(f"{quote(column, 'column')} <=> :{marker}")
            params.append(SqlParameter(marker, value))
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        result = await self.warehouse.execute(
            f"SELECT * FROM {name.quoted} {clause}{where} LIMIT {int(limit)}",
            params,
            idempotent=True,
        )
        return _rows(result.dicts())

    async def optimize(
        self, table: TableName | str, *, zorder_by: Sequence[str] = ()
    ) -> dict[str, Any]:
        """``OPTIMIZE [ZORDER BY]``: compact the table's files (its rows do not change)."""
        name = _name(table)
        columns = ", ".join(quote(c, "column") for c in zorder_by)
        zorder = f" ZORDER BY ({columns})" if columns else ""
        # repeating an OPTIMIZE finds nothing left to compact: safe to retry
        result = await self.warehouse.execute(f"OPTIMIZE {name.quoted}{zorder}", idempotent=True)
        rows = _rows(result.dicts())
        return rows[0] if rows else {}

    async def vacuum(
        self,
        table: TableName | str,
        *,
        retain_hours: float | None = None,
        dry_run: bool = False,
    ) -> list[str]:
        """``VACUUM [RETAIN n HOURS] [DRY RUN]``: the files deleted (or, dry, to delete); a
        retention shorter than the table's is refused by the warehouse."""
        name = _name(table)
        retain = ""
        if retain_hours is not None:
            if not 0 <= retain_hours <= MAX_RETAIN_HOURS:
                raise InvalidInput(f"retain hours are 0 to {MAX_RETAIN_HOURS}")
            retain = f" RETAIN {float(retain_hours):g} HOURS"
        dry = " DRY RUN" if dry_run else ""
        result = await self.warehouse.execute(f"VACUUM {name.quoted}{retain}{dry}", idempotent=True)
        return [str(row[0]) for row in result.rows]

    async def restore(self, table: TableName | str, as_of: AsOf) -> dict[str, Any]:
        """``RESTORE TABLE ... TO VERSION|TIMESTAMP AS OF``: a new version holding that one's
        rows. Not safe to repeat blindly (each run is a version): callers check first."""
        name = _name(table)
        clause, params = as_of.clause()
        result = await self.warehouse.execute(f"RESTORE TABLE {name.quoted} TO {clause}", params)
        rows = _rows(result.dicts())
        return rows[0] if rows else {}


def _name(table: TableName | str) -> TableName:
    return table if isinstance(table, TableName) else TableName.parse(table.lower())
