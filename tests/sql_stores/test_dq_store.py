"""The SQL data-quality exception store honours the DQ store contract on every backend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from appkit_adapters.sql.stores.dq import SqlDqStore
from appkit_testing.contracts.dq_store import DqStoreContract
from appkit_testing.contracts.seeding import Writer
from tests.sql_stores.conftest import Governance, governance_store


class TestSqlDqStore(DqStoreContract):
    @pytest.fixture
    async def store(self, governance: Governance) -> AsyncIterator[SqlDqStore]:
        yield SqlDqStore(governance.warehouse, governance.location)

    @pytest.fixture
    def writer(self, governance: Governance) -> Writer:
        return Writer(governance_store(governance, atomic=True))
