from __future__ import annotations

import pytest

from appkit_testing.contracts.governance_store import GovernanceStoreContract
from appkit_testing.fakes.governance import memory_governance
from appkit_testing.fakes.governance_store import InMemoryGovernanceStore


class TestInMemoryGovernanceStore(GovernanceStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryGovernanceStore:
        return memory_governance().store
