"""pytest plugin (entry point ``pytest11``): fixtures for testing governed apps offline."""

from __future__ import annotations

import pytest

from appkit_testing.fakes import ControllableClock, InMemoryAuditStore, SequentialIds


@pytest.fixture
def controllable_clock() -> ControllableClock:
    """A clock that stands still until the test advances it."""
    return ControllableClock()


@pytest.fixture
def sequential_ids() -> SequentialIds:
    """Ids ``prefix000001``, ``prefix000002``, ... in order."""
    return SequentialIds()


@pytest.fixture
def in_memory_audit_store() -> InMemoryAuditStore:
    """An empty audit store whose ``rows`` the test can read or tamper with."""
    return InMemoryAuditStore()
