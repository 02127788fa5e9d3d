"""The SQL change request store honours the change store contract on every backend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from appkit_adapters.sql.stores.changes import SqlChangeStore
from appkit_testing.contracts.change_store import ChangeStoreContract
from appkit_testing.contracts.seeding import Writer
from tests.sql_stores.conftest import Governance, governance_store


class TestSqlChangeStore(ChangeStoreContract):
    @pytest.fixture
    async def store(self, governance: Governance) -> AsyncIterator[SqlChangeStore]:
        yield SqlChangeStore(governance.warehouse, governance.location)

    @pytest.fixture
    def writer(self, governance: Governance) -> Writer:
        return Writer(governance_store(governance, atomic=True))
