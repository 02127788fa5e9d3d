"""The SQL metric override store honours the override store contract on every backend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from appkit_adapters.sql.stores.overrides import SqlOverrideStore
from appkit_testing.contracts.override_store import OverrideStoreContract
from appkit_testing.contracts.seeding import Writer
from tests.sql_stores.conftest import Governance, governance_store


class TestSqlOverrideStore(OverrideStoreContract):
    @pytest.fixture
    async def store(self, governance: Governance) -> AsyncIterator[SqlOverrideStore]:
        yield SqlOverrideStore(governance.warehouse, governance.location)

    @pytest.fixture
    def writer(self, governance: Governance) -> Writer:
        return Writer(governance_store(governance, atomic=True))
