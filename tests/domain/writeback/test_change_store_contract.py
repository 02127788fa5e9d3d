from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from appkit_testing.contracts.change_store import ChangeStoreContract
from appkit_testing.fakes.change_store import InMemoryChangeStore


class TestInMemoryChangeStore(ChangeStoreContract):
    @pytest.fixture
    async def store(self) -> AsyncIterator[InMemoryChangeStore]:
        yield InMemoryChangeStore()
