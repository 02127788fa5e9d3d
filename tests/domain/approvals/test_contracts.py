from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from appkit_testing.contracts import ApprovalStoreContract
from appkit_testing.fakes import InMemoryApprovalStore


class TestInMemoryApprovalStore(ApprovalStoreContract):
    @pytest.fixture
    async def store(self) -> AsyncIterator[InMemoryApprovalStore]:
        yield InMemoryApprovalStore()
