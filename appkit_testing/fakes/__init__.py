"""In-memory implementations of the domain's ports, with state tests can inspect."""

from appkit_testing.fakes.approval_store import InMemoryApprovalStore
from appkit_testing.fakes.audit_store import InMemoryAuditStore
from appkit_testing.fakes.change_store import InMemoryChangeStore
from appkit_testing.fakes.clock import ControllableClock
from appkit_testing.fakes.directory import InMemoryDirectory
from appkit_testing.fakes.dq_store import InMemoryDqStore
from appkit_testing.fakes.governed_table import InMemoryGovernedTable, RecordedWrite
from appkit_testing.fakes.ids import SequentialIds
from appkit_testing.fakes.metric_source import InMemoryMetricSource
from appkit_testing.fakes.notifier import RecordingNotifier
from appkit_testing.fakes.override_store import InMemoryOverrideStore
from appkit_testing.fakes.permissions import InMemoryPermissions
from appkit_testing.fakes.table_versions import InMemoryTableVersions

__all__ = [
    "ControllableClock",
    "InMemoryApprovalStore",
    "InMemoryAuditStore",
    "InMemoryChangeStore",
    "InMemoryDirectory",
    "InMemoryDqStore",
    "InMemoryGovernedTable",
    "InMemoryMetricSource",
    "InMemoryOverrideStore",
    "InMemoryPermissions",
    "InMemoryTableVersions",
    "RecordedWrite",
    "RecordingNotifier",
    "SequentialIds",
]
