"""Everything an app's governance needs, in memory: the stores, the units of work, the audit log.

::

    governance = memory_governance()
    approvals = ApprovalService(governance.units, governance.approvals, governance.audit,
                                policies=policies)
    governance.approvals.requests      # the stored approval requests
    governance.audit_store.rows        # the stored audit events
    governance.store.lose_next_answer()  # the next commit lands but its answer is lost
"""

from __future__ import annotations

from dataclasses import dataclass

from appkit_domain.approvals.model import APPROVAL_REQUESTS
from appkit_domain.audit import AuditLog, Redactor
from appkit_domain.dq.exception import DQ_EXCEPTIONS
from appkit_domain.overrides.model import METRIC_OVERRIDES
from appkit_domain.ports.clock import Clock
from appkit_domain.ports.ids import IdGenerator
from appkit_domain.unit_of_work import DEFAULT_ATTEMPTS, Commits, UnitsOfWork
from appkit_domain.writeback.change import CHANGE_REQUESTS
from appkit_testing.fakes.approval_store import InMemoryApprovalStore
from appkit_testing.fakes.audit_store import InMemoryAuditStore
from appkit_testing.fakes.change_store import InMemoryChangeStore
from appkit_testing.fakes.clock import ControllableClock
from appkit_testing.fakes.dq_store import InMemoryDqStore
from appkit_testing.fakes.governance_store import InMemoryGovernanceStore
from appkit_testing.fakes.governed_table import InMemoryGovernedTable
from appkit_testing.fakes.ids import SequentialIds
from appkit_testing.fakes.override_store import InMemoryOverrideStore


@dataclass
class MemoryGovernance:
    """The in-memory stores of one app and the units of work and audit log over them."""

    clock: Clock
    ids: IdGenerator
    store: InMemoryGovernanceStore
    audit_store: InMemoryAuditStore
    governed: InMemoryGovernedTable
    approvals: InMemoryApprovalStore
    changes: InMemoryChangeStore
    exceptions: InMemoryDqStore
    overrides: InMemoryOverrideStore
    commits: Commits
    units: UnitsOfWork
    audit: AuditLog


def memory_governance(
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    *,
    stream: str = "app-1",
    governed: InMemoryGovernedTable | None = None,
    redactor: Redactor | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
) -> MemoryGovernance:
    """Fresh in-memory governance (a controllable clock and sequential ids unless given)."""
    clock = clock if clock is not None else ControllableClock()
    ids = ids if ids is not None else SequentialIds()
    redactor = redactor or Redactor()
    audit_store = InMemoryAuditStore()
    governed = governed if governed is not None else InMemoryGovernedTable()
    store = InMemoryGovernanceStore(audit_store, governed)
    approvals = InMemoryApprovalStore()
    changes = InMemoryChangeStore()
    exceptions = InMemoryDqStore()
    overrides = InMemoryOverrideStore()
    store.hold(APPROVAL_REQUESTS, approvals)
    store.hold(CHANGE_REQUESTS, changes)
    store.hold(DQ_EXCEPTIONS, exceptions)
    store.hold(METRIC_OVERRIDES, overrides)
    commits = Commits(store, ids, stream=stream)
    units = UnitsOfWork(store, commits, clock, ids, redactor=redactor, attempts=attempts)
    audit = AuditLog(audit_store, clock, ids, stream=stream, redactor=redactor, commits=commits)
    return MemoryGovernance(
        clock,
        ids,
        store,
        audit_store,
        governed,
        approvals,
        changes,
        exceptions,
        overrides,
        commits,
        units,
        audit,
    )
