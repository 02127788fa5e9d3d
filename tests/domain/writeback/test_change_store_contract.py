from __future__ import annotations

import pytest

from appkit_testing.contracts.change_store import ChangeStoreContract
from appkit_testing.contracts.seeding import Writer
from appkit_testing.fakes.governance import MemoryGovernance, memory_governance


class TestInMemoryChangeStore(ChangeStoreContract):
    @pytest.fixture
    def governance(self) -> MemoryGovernance:
        return memory_governance()

    @pytest.fixture
    def store(self, governance: MemoryGovernance) -> object:
        return governance.changes

    @pytest.fixture
    def writer(self, governance: MemoryGovernance) -> Writer:
        return Writer(governance.store)
