from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from appkit_testing.contracts import OverrideStoreContract
from appkit_testing.fakes import InMemoryOverrideStore


class TestInMemoryOverrideStore(OverrideStoreContract):
    @pytest.fixture
    async def store(self) -> AsyncIterator[InMemoryOverrideStore]:
        yield InMemoryOverrideStore()
