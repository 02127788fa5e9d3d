"""The SQL change request store honours the change store contract on every backend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from appkit_adapters.sql.stores.changes import SqlChangeStore
from appkit_testing.contracts.change_store import ChangeStoreContract
from tests.sql_stores.conftest import Governance


class TestSqlChangeStore(ChangeStoreContract):
    @pytest.fixture
    async def store(self, governance: Governance) -> AsyncIterator[SqlChangeStore]:
        yield SqlChangeStore(governance.warehouse, governance.location)
