"""An in-memory governed table set: rows tests can inspect and move under a change.

``rows[table_full_name]`` is the list of rows (plain dicts) of each table;
a test mutates one to simulate a concurrent writer. ``writes`` records every
row write that landed (committed by
:class:`~appkit_testing.fakes.governance_store.InMemoryGovernanceStore`),
``outcomes`` the applied-changes ledger by change id and ``calls`` every port
call by method name, so a test can assert that nothing was asked of the
table. Every method yields to the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from appkit_domain.audit.chain import normalize_json
from appkit_domain.errors import Conflict, NotFound
from appkit_domain.identifiers import TableName
from appkit_domain.ports.governed_table import ApplyOutcome, ApplyStatus, GovernedTable
from appkit_domain.unit_of_work import RowWrite


@dataclass(frozen=True)
class RecordedWrite:
    change_id: str
    table: str
    key: dict[str, Any]
    values: dict[str, Any]


class InMemoryGovernedTable(GovernedTable):
    def __init__(self) -> None:
        self.schemas: dict[str, dict[str, str]] = {}
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.writes: list[RecordedWrite] = []
        self.initial: dict[str, list[dict[str, Any]]] = {}
        """The rows each table was created with (version 0 of its history)."""
        self.outcomes: dict[str, ApplyOutcome] = {}
        self.calls: list[str] = []

    def create(
        self, table: TableName | str, columns: Mapping[str, str], rows: list[dict[str, Any]]
    ) -> None:
        """Define ``table`` with ``{column: type}`` and its initial rows."""
        name = table.full_name if isinstance(table, TableName) else table
        self.schemas[name] = dict(columns)
        self.rows[name] = [dict(row) for row in rows]
        self.initial[name] = [dict(row) for row in rows]

    def row(self, table: TableName | str, **key: Any) -> dict[str, Any]:
        """The live row (mutable) whose columns equal ``key``; KeyError if none."""
        name = table.full_name if isinstance(table, TableName) else table
        for row in self.rows[name]:
            if all(row.get(c) == v for c, v in key.items()):
                return row
        raise KeyError(key)

    def _matching(self, table: TableName, key: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [
            row
            for row in self.rows.get(table.full_name, [])
            if all(normalize_json(row.get(c)) == normalize_json(v) for c, v in key.items())
        ]

    async def column_types(self, table: TableName) -> Mapping[str, str]:
        self.calls.append("column_types")
        await asyncio.sleep(0)
        try:
            return dict(self.schemas[table.full_name])
        except KeyError:
            raise NotFound(f"table {table.full_name} does not exist") from None

    async def read_row(self, table: TableName, key: Mapping[str, Any]) -> Mapping[str, Any] | None:
        self.calls.append("read_row")
        await asyncio.sleep(0)
        if table.full_name not in self.schemas:
            raise NotFound(f"table {table.full_name} does not exist")
        found = self._matching(table, key)
        if len(found) > 1:
            raise Conflict(f"{len(found)} rows of {table.full_name} share the key")
        return dict(found[0]) if found else None

    def matching(self, table: TableName, key: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The live rows of ``table`` whose key columns equal ``key``."""
        return self._matching(table, key)

    def install(self, write: RowWrite) -> None:
        """Apply a committed row write (the governance store checked its before-image)."""
        (row,) = self._matching(write.table, write.key)
        row.update(write.values)
        self.writes.append(
            RecordedWrite(
                write.change_id, write.table.full_name, dict(write.key), dict(write.values)
            )
        )
        self.outcomes[write.change_id] = ApplyOutcome(write.change_id, ApplyStatus.APPLIED)
