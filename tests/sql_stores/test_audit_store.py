"""The SQL audit store honours the audit store contract on every backend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from appkit_adapters.sql.stores.audit import SqlAuditStore
from appkit_testing.contracts.audit_store import AuditStoreContract
from tests.sql_stores.conftest import Governance


class TestSqlAuditStore(AuditStoreContract):
    @pytest.fixture
    async def store(self, governance: Governance) -> AsyncIterator[SqlAuditStore]:
        yield SqlAuditStore(governance.warehouse, governance.location)
