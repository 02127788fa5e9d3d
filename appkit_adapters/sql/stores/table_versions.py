# ruff: noqa: S608  (only validated, quoted names and integer versions are interpolated; values are parameters)
"""The table versions port over a SQL warehouse: Delta history and time travel.

:meth:`SqlTableVersions.version_of_write` reads ``DESCRIBE HISTORY`` for the
versions committed since the change was applied (less a margin for clock
skew between the app and the warehouse), then the governed row as of each of
them and the version before, in one statement, and returns the first version
where the row turned from the whole before-image into the new values.
Versions that only rewrite files or metadata (``OPTIMIZE``, ``VACUUM``,
property changes) are not candidates.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from appkit_adapters.sql.stores.governed_table import SqlGovernedTable
from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_domain.audit.chain import normalize_json
from appkit_domain.errors import AppkitError
from appkit_domain.identifiers import TableName, quote
from appkit_domain.ports.table_versions import TableVersions, VersionLink

CLOCK_SKEW = timedelta(minutes=10)
HISTORY_DEPTH = 200
MAX_CANDIDATES = 20
NOT_DATA = frozenset(
    {
        "OPTIMIZE",
        "VACUUM START",
        "VACUUM END",
        "SET TBLPROPERTIES",
        "UNSET TBLPROPERTIES",
        "ADD COLUMNS",
        "CHANGE COLUMN",
        "RENAME COLUMN",
        "CREATE TABLE",
    }
)


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, str) and value:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def _canonical(row: Mapping[str, Any]) -> dict[str, Any]:
    return {c.lower(): v for c, v in normalize_json(dict(row), "row").items()}


class SqlTableVersions(TableVersions):
    """:class:`TableVersions` over ``warehouse`` (the app's), typing keys as ``governed`` does."""

    def __init__(self, warehouse: SqlWarehouse, governed: SqlGovernedTable) -> None:
        self.warehouse = warehouse
        self.governed = governed

    async def _candidates(self, table: TableName, since: datetime) -> list[int]:
        result = await self.warehouse.execute(
            f"DESCRIBE HISTORY {table.quoted} LIMIT {HISTORY_DEPTH}", idempotent=True
        )
        found = []
        for entry in result.dicts():
            at = _instant(entry.get("timestamp"))
            if at is None or at < since - CLOCK_SKEW:
                continue
            if str(entry.get("operation")) in NOT_DATA or int(entry["version"]) < 1:
                continue
            found.append(int(entry["version"]))
        return sorted(found)[:MAX_CANDIDATES]

    async def _rows(
        self, table: TableName, key: Mapping[str, Any], columns: list[str], versions: list[int]
    ) -> dict[int, dict[str, Any]]:
        condition, params = await self.governed.key_condition(table, key)
        names = ", ".join(quote(c, "column") for c in columns)

        def one(version: int) -> str:
            return (
                f"SELECT {int(version)} AS `_appkit_version`, {names} FROM {table.quoted}"
                f" VERSION AS OF {int(version)} WHERE {condition}"
            )

        rows: dict[int, dict[str, Any]] = {}
        try:
            result = await self.warehouse.execute(
                " UNION ALL ".join(one(v) for v in versions), params, idempotent=True
            )
            batches = [result]
        except AppkitError:  # one of them cannot be read (vacuumed): read them one by one
            batches = []
            for version in versions:
                try:
                    batches.append(
                        await self.warehouse.execute(one(version), params, idempotent=True)
                    )
                except AppkitError:
                    continue
        for batch in batches:
            for row in batch.dicts():
                version = int(row.pop("_appkit_version"))
                rows[version] = _canonical(row)
        return rows

    async def version_of_write(
        self,
        table: TableName,
        key: Mapping[str, Any],
        before: Mapping[str, Any],
        values: Mapping[str, Any],
        since: datetime,
    ) -> VersionLink | None:
        candidates = await self._candidates(table, since)
        if not candidates:
            return None
        columns = list(dict.fromkeys([*before, *values]))
        wanted = sorted({*candidates, *(v - 1 for v in candidates)})
        rows = await self._rows(table, key, columns, wanted)
        image = {c.lower(): v for c, v in normalize_json(dict(before), "before").items()}
        new = {c.lower(): v for c, v in normalize_json(dict(values), "values").items()}
        for version in candidates:
            earlier, later = rows.get(version - 1), rows.get(version)
            if earlier is None or later is None:
                continue
            was_before = all(earlier.get(c) == v for c, v in image.items())
            now_new = all(later.get(c) == v for c, v in new.items())
            if was_before and now_new:
                return VersionLink(version)
        return None

    async def row_at(
        self, table: TableName, key: Mapping[str, Any], version: int
    ) -> Mapping[str, Any] | None:
        condition, params = await self.governed.key_condition(table, key)
        result = await self.warehouse.execute(
            f"SELECT * FROM {table.quoted} VERSION AS OF {int(version)} WHERE {condition} LIMIT 2",
            params,
            idempotent=True,
        )
        rows = result.dicts()
        return normalize_json(rows[0], "row") if rows else None
