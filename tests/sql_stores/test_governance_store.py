"""The SQL governance store honours the governance store contract on every backend, both ways
of committing: one atomic block per batch, and step by step."""

from __future__ import annotations

from typing import Any

import pytest

from appkit_testing.contracts.governance_store import GovernanceStoreContract
from tests.sql_stores.conftest import Governance, governance_store


class TestSqlGovernanceStore(GovernanceStoreContract):
    @pytest.fixture
    def store(self, governance: Governance, atomic: bool) -> Any:
        return governance_store(governance, atomic=atomic)
