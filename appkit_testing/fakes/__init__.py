"""In-memory implementations of the domain's ports, with state tests can inspect."""

from appkit_testing.fakes.audit_store import InMemoryAuditStore
from appkit_testing.fakes.clock import ControllableClock
from appkit_testing.fakes.dq_store import InMemoryDqStore
from appkit_testing.fakes.ids import SequentialIds

__all__ = ["ControllableClock", "InMemoryAuditStore", "InMemoryDqStore", "SequentialIds"]
