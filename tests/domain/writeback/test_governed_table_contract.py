from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest

from appkit_domain.ports.governed_table import GovernedTable
from appkit_testing.contracts.governed_table import (
    CONTRACT_COLUMNS,
    CONTRACT_ROWS,
    CONTRACT_TABLE,
    GovernedTableContract,
)
from appkit_testing.fakes.audit_store import InMemoryAuditStore
from appkit_testing.fakes.governance_store import InMemoryGovernanceStore
from appkit_testing.fakes.governed_table import InMemoryGovernedTable


class TestInMemoryGovernedTable(GovernedTableContract):
    @pytest.fixture
    async def governed(self) -> AsyncIterator[InMemoryGovernedTable]:
        table = InMemoryGovernedTable()
        table.create(CONTRACT_TABLE, CONTRACT_COLUMNS, [dict(r) for r in CONTRACT_ROWS])
        yield table

    @pytest.fixture
    def store(self, governed: InMemoryGovernedTable) -> InMemoryGovernanceStore:
        return InMemoryGovernanceStore(InMemoryAuditStore(), governed)

    async def move_row(
        self, governed: GovernedTable, key: Mapping[str, Any], values: Mapping[str, Any]
    ) -> None:
        assert isinstance(governed, InMemoryGovernedTable)
        governed.row(CONTRACT_TABLE, **key).update(values)

    async def delete_row(self, governed: GovernedTable, key: Mapping[str, Any]) -> None:
        assert isinstance(governed, InMemoryGovernedTable)
        governed.rows[CONTRACT_TABLE.full_name].remove(governed.row(CONTRACT_TABLE, **key))
