from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from appkit_testing.contracts.dq_store import DqStoreContract
from appkit_testing.fakes.dq_store import InMemoryDqStore


class TestInMemoryDqStore(DqStoreContract):
    @pytest.fixture
    async def store(self) -> AsyncIterator[InMemoryDqStore]:
        yield InMemoryDqStore()
