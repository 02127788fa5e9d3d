"""Table versions of an :class:`InMemoryGovernedTable`: each committed row write is a version.

Version 0 of a table holds the rows it was created with; version ``n`` those
rows with the first ``n`` recorded writes of that table applied, in order.
A test that moves a row by hand (not through a write) changes no version, as
a warehouse would not show an uncommitted change either.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from appkit_domain.audit.chain import normalize_json
from appkit_domain.errors import NotFound
from appkit_domain.identifiers import TableName
from appkit_domain.ports.table_versions import TableVersions, VersionLink
from appkit_testing.fakes.governed_table import InMemoryGovernedTable


def _same(row: Mapping[str, Any], image: Mapping[str, Any]) -> bool:
    return all(normalize_json(row.get(c)) == normalize_json(v) for c, v in image.items())


class InMemoryTableVersions(TableVersions):
    def __init__(self, governed: InMemoryGovernedTable) -> None:
        self.governed = governed

    def _row(self, table: str, key: Mapping[str, Any], version: int) -> dict[str, Any] | None:
        if table not in self.governed.initial:
            raise NotFound(f"table {table} does not exist")
        writes = [w for w in self.governed.writes if w.table == table]
        if not 0 <= version <= len(writes):
            raise NotFound(f"table {table} has no version {version}")
        rows = [dict(row) for row in self.governed.initial[table]]
        for write in writes[:version]:
            for row in rows:
                if _same(row, write.key):
                    row.update(write.values)
        found = [row for row in rows if _same(row, key)]
        return found[0] if found else None

    async def version_of_write(
        self,
        table: TableName,
        key: Mapping[str, Any],
        before: Mapping[str, Any],
        values: Mapping[str, Any],
        since: datetime,
    ) -> VersionLink | None:
        await asyncio.sleep(0)
        writes = [w for w in self.governed.writes if w.table == table.full_name]
        for version in range(1, len(writes) + 1):
            earlier = self._row(table.full_name, key, version - 1)
            later = self._row(table.full_name, key, version)
            if earlier and later and _same(earlier, before) and _same(later, values):
                return VersionLink(version)
        return None

    async def row_at(
        self, table: TableName, key: Mapping[str, Any], version: int
    ) -> Mapping[str, Any] | None:
        await asyncio.sleep(0)
        row = self._row(table.full_name, key, version)
        return None if row is None else normalize_json(row, "row")
