"""The SQL approval store honours the approval store contract on every backend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from appkit_adapters.sql.stores.approvals import SqlApprovalStore
from appkit_testing.contracts.approval_store import ApprovalStoreContract
from appkit_testing.contracts.seeding import Writer
from tests.sql_stores.conftest import Governance, governance_store


class TestSqlApprovalStore(ApprovalStoreContract):
    @pytest.fixture
    async def store(self, governance: Governance) -> AsyncIterator[SqlApprovalStore]:
        yield SqlApprovalStore(governance.warehouse, governance.location)

    @pytest.fixture
    def writer(self, governance: Governance) -> Writer:
        return Writer(governance_store(governance, atomic=True))
