"""Units of work: every governed step reads, decides and commits all or nothing.

::

    async def withdraw(uow: UnitOfWork) -> ApprovalRequest:
        requests = uow.repo(APPROVAL_REQUESTS)
        request = await requests.get(approval_id)
        withdrawn = requests.save(request.withdraw(actor, reason, uow.clock.now()))
        uow.record(actor=actor.id, action="approval.withdraw", target=withdrawn.audit_target)
        return withdrawn

    request = await units.run("approval.withdraw", withdraw)

:class:`UnitsOfWork` runs the body, commits what it staged through the
writer's :class:`Commits` (group commit, audit chaining) and runs it again on
fresh state when a version it read has moved. Storage implements
:class:`~appkit_domain.ports.governance_store.GovernanceStore`.
"""

from appkit_domain.audit.drafts import EventDraft, chain
from appkit_domain.unit_of_work.commits import Commits, CommitStore
from appkit_domain.unit_of_work.records import (
    AggregateType,
    AggregateWrite,
    CommitBatch,
    RowWrite,
    StepCommit,
    StepRecord,
    StepsRejected,
)
from appkit_domain.unit_of_work.recovery import RecoveryReport, recover_steps
from appkit_domain.unit_of_work.repository import Repository
from appkit_domain.unit_of_work.unit import UnitOfWork
from appkit_domain.unit_of_work.units import DEFAULT_ATTEMPTS, IdempotencyKeyReused, UnitsOfWork

__all__ = [
    "DEFAULT_ATTEMPTS",
    "AggregateType",
    "AggregateWrite",
    "CommitBatch",
    "CommitStore",
    "Commits",
    "EventDraft",
    "IdempotencyKeyReused",
    "RecoveryReport",
    "Repository",
    "RowWrite",
    "StepCommit",
    "StepRecord",
    "StepsRejected",
    "UnitOfWork",
    "UnitsOfWork",
    "chain",
    "recover_steps",
]
