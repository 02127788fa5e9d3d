"""The approval test world: principals, policies and a service over fakes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from appkit_domain.approvals import (
    Actor,
    ApplyContext,
    ApprovalRequest,
    ApprovalService,
    Eligibility,
    MakerCheckerPolicy,
    PolicyRegistry,
    Workflow,
)
from appkit_domain.audit import AuditLog
from appkit_domain.ports.notifier import Notification
from appkit_domain.principal import Principal
from appkit_domain.unit_of_work import UnitOfWork
from appkit_testing.fakes import (
    ControllableClock,
    InMemoryApprovalStore,
    InMemoryAuditStore,
    InMemoryDirectory,
    RecordingNotifier,
    SequentialIds,
)
from appkit_testing.fakes.governance import MemoryGovernance, memory_governance
from appkit_testing.fakes.governance_store import InMemoryGovernanceStore
from tests.domain.people import (
    ALICE,
    APP,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    ROLES,
)

MAKERS = Eligibility.of(roles={"maker"})
CHECKERS = Eligibility.of(roles={"approver"})


@dataclass
class CountingApplier:
    """Counts calls (a step run again on fresh state calls it again; only one commits);
    fails with ``error`` when set."""

    calls: list[str] = field(default_factory=list)
    error: Exception | None = None

    async def __call__(
        self, uow: UnitOfWork, request: ApprovalRequest, context: ApplyContext
    ) -> Mapping[str, Any]:
        self.calls.append(request.id)
        if self.error is not None:
            raise self.error
        return {"applied": request.payload["change"], "by": context.actor.id}


@dataclass
class ApprovalWorld:
    clock: ControllableClock
    ids: SequentialIds
    store: InMemoryApprovalStore
    governance_store: InMemoryGovernanceStore
    audit_store: InMemoryAuditStore
    audit: AuditLog
    directory: InMemoryDirectory
    notifier: RecordingNotifier
    service: ApprovalService
    applier: CountingApplier
    governance: MemoryGovernance

    async def submit(
        self,
        kind: str = "change",
        payload: Mapping[str, Any] | None = None,
        actor: Actor | None = None,
    ) -> ApprovalRequest:
        return await self.service.submit(
            actor or Actor(ALICE),
            kind,
            "demo.crm.customers:42",
            payload if payload is not None else {"change": {"tier": "gold"}},
            request_id="req-submit",
        )

    async def actions(self, approval_id: str) -> list[str]:
        return [e.action for e in self.audit_store.rows if e.target == f"approval:{approval_id}"]

    def applied(self) -> list[str]:
        """The requests whose action committed (``approval.apply`` events), in order."""
        return [
            e.target.removeprefix("approval:")
            for e in self.audit_store.rows
            if e.action == "approval.apply"
        ]


def make_world(
    *,
    max_attempts: int = 5,
    notifier: RecordingNotifier | None = None,
) -> ApprovalWorld:
    clock = ControllableClock()
    ids = SequentialIds()
    governance: MemoryGovernance = memory_governance(clock, ids, attempts=max_attempts)
    directory = InMemoryDirectory([ALICE, BOB, CAROL, ERIN, DAVE, APP])
    notifier = notifier if notifier is not None else RecordingNotifier()
    policies = PolicyRegistry(
        [
            MakerCheckerPolicy("change", MAKERS, CHECKERS, quorum=1, deadline=timedelta(days=1)),
            MakerCheckerPolicy("pair", MAKERS, CHECKERS, quorum=2, deadline=timedelta(days=1)),
            MakerCheckerPolicy(
                "lenient", MAKERS, CHECKERS, quorum=2, veto=False, deadline=timedelta(days=1)
            ),
            MakerCheckerPolicy(
                "manual",
                MAKERS,
                CHECKERS,
                quorum=1,
                auto_apply=False,
                appliers=Eligibility.of(roles={"approver"}),
            ),
        ]
    )
    service = ApprovalService(
        governance.units,
        governance.approvals,
        governance.audit,
        policies=policies,
        roles=ROLES,
        directory=directory,
        notifier=notifier,
    )
    applier = CountingApplier()
    for kind in ("change", "pair", "lenient", "manual"):
        service.register(Workflow(kind, apply=applier))
    return ApprovalWorld(
        clock,
        ids,
        governance.approvals,
        governance.store,
        governance.audit_store,
        governance.audit,
        directory,
        notifier,
        service,
        applier,
        governance,
    )


class ApprovingNotifier(RecordingNotifier):
    """Records, and approves (as ``by``) every request the moment it is announced."""

    def __init__(self, by: Principal) -> None:
        super().__init__()
        self.by = by
        self.service: ApprovalService | None = None

    async def send(self, notification: Notification) -> None:
        await super().send(notification)
        if notification.topic == "approval.requested" and self.service is not None:
            await self.service.approve(notification.approval_id, Actor(self.by))
