import pytest

from appkit_testing.contracts import AuditStoreContract
from appkit_testing.fakes import InMemoryAuditStore


class TestInMemoryAuditStore(AuditStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryAuditStore:
        return InMemoryAuditStore()
