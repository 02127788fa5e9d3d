"""An in-memory governed table set: rows tests can inspect and move under a change.

``rows[table_full_name]`` is the list of rows (plain dicts) of each table;
a test mutates one to simulate a concurrent writer. ``writes`` records every
row update that landed, ``outcomes`` the recorded outcome of every change id
(the idempotency ledger) and ``calls`` every port call by method name, so a
test can assert that nothing was asked of the table. Every method yields to
the event loop; the check-and-write of ``apply_change`` holds a lock, as a
single SQL statement would be atomic.
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
        self.outcomes: dict[str, ApplyOutcome] = {}
        self.calls: list[str] = []
        self._lock = asyncio.Lock()

    def create(
        self, table: TableName | str, columns: Mapping[str, str], rows: list[dict[str, Any]]
    ) -> None:
        """Define ``table`` with ``{column: type}`` and its initial rows."""
        name = table.full_name if isinstance(table, TableName) else table
        self.schemas[name] = dict(columns)
        self.rows[name] = [dict(row) for row in rows]

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

    async def apply_change(
        self,
        change_id: str,
        table: TableName,
        key: Mapping[str, Any],
        before: Mapping[str, Any],
        after: Mapping[str, Any],
        audit_values: Mapping[str, Any],
    ) -> ApplyOutcome:
        self.calls.append("apply_change")
        await asyncio.sleep(0)
        async with self._lock:
            earlier = self.outcomes.get(change_id)
            if earlier is not None:
                return ApplyOutcome(change_id, earlier.status, earlier.reason, replayed=True)
            await asyncio.sleep(0)
            outcome = self._apply_now(change_id, table, key, before, {**after, **audit_values})
            self.outcomes[change_id] = outcome
            return outcome

    def _apply_now(
        self,
        change_id: str,
        table: TableName,
        key: Mapping[str, Any],
        before: Mapping[str, Any],
        values: Mapping[str, Any],
    ) -> ApplyOutcome:
        found = self._matching(table, key)
        if not found:
            return ApplyOutcome(
                change_id, ApplyStatus.CONFLICT, f"the row of {table.full_name} no longer exists"
            )
        row = found[0]
        moved = sorted(c for c, v in before.items() if normalize_json(row.get(c)) != v)
        if moved:
            return ApplyOutcome(
                change_id,
                ApplyStatus.CONFLICT,
                f"the row changed since the change was proposed (columns: {', '.join(moved)})",
            )
        row.update(values)
        self.writes.append(RecordedWrite(change_id, table.full_name, dict(key), dict(values)))
        return ApplyOutcome(change_id, ApplyStatus.APPLIED)
