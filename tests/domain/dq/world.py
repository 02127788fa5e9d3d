"""A DQ world on fakes: an exception service, a waiver workflow over approvals, four people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from appkit_domain.approvals import (
    ApprovalService,
    Eligibility,
    MakerCheckerPolicy,
    PolicyRegistry,
)
from appkit_domain.audit import AuditEvent
from appkit_domain.dq import CheckFailure, Severity
from appkit_domain.dq.service import DqExceptionService
from appkit_domain.dq.waiver import DQ_WAIVER_KIND, WaiverWorkflow
from appkit_testing.fakes import ControllableClock, InMemoryAuditStore, SequentialIds
from appkit_testing.fakes.dq_store import InMemoryDqStore
from appkit_testing.fakes.governance import MemoryGovernance, memory_governance
from tests.domain.people import (  # noqa: F401 (re-exported to the tests)
    ALICE,
    APP,
    BOB,
    CUSTOMERS,
    DAVE,
    ROLES,
)

INGESTER = APP


@dataclass
class DqWorld:
    clock: ControllableClock
    store: InMemoryDqStore
    audit_store: InMemoryAuditStore
    service: DqExceptionService
    approvals: ApprovalService
    waivers: WaiverWorkflow
    governance: MemoryGovernance

    def failure(
        self,
        key: str = "customer_id=7",
        *,
        severity: Severity = Severity.HIGH,
        check: str = "tier_is_known",
        at: datetime | None = None,
        owner: str | None = ALICE.id,
    ) -> CheckFailure:
        return CheckFailure(
            check=check,
            table=CUSTOMERS,
            rule="tier IN ('bronze','silver','gold','platinum')",
            severity=severity,
            failing_key=key,
            detected_at=at or self.clock.now(),
            observed_value="diamond",
            failing_rows_ref="demo.dq.check_results/run-1",
            owner=owner,
        )

    def events(self, action: str | None = None) -> list[AuditEvent]:
        return [e for e in self.audit_store.rows if action is None or e.action == action]


def make_world() -> DqWorld:
    clock = ControllableClock()
    governance = memory_governance(clock, SequentialIds())
    service = DqExceptionService(governance.units, governance.exceptions)
    approvals = ApprovalService(
        governance.units,
        governance.approvals,
        governance.audit,
        policies=PolicyRegistry(
            [
                MakerCheckerPolicy(
                    kind=DQ_WAIVER_KIND,
                    proposers=Eligibility.of(roles={"maker"}),
                    deciders=Eligibility.of(roles={"approver"}),
                    quorum=1,
                    deadline=timedelta(days=3),
                )
            ]
        ),
        roles=ROLES,
    )
    waivers = WaiverWorkflow(service, approvals)
    return DqWorld(
        clock,
        governance.exceptions,
        governance.audit_store,
        service,
        approvals,
        waivers,
        governance,
    )


HOUR = timedelta(hours=1)
