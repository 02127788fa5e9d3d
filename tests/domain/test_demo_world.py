"""The demo world of surfaces.md, run through every governed flow on the fakes, in-process.

alice (data steward, maker), bob and carol (risk approvers), dave (no group,
read-only) and auditor (auditors) work on the demo metrics, customers and
failed checks, with the demo policy: overrides need 1 approval (2 when the
value moves by more than 10%), tier changes 1, waivers 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from appkit_domain.approvals import Actor, ApprovalService, ApprovalStatus
from appkit_domain.approvals.errors import NotEligible, SelfApproval
from appkit_domain.audit import AuditLog, AuditQuery
from appkit_domain.dq import DqQuery, DqStatus
from appkit_domain.dq.service import DqExceptionService
from appkit_domain.dq.waiver import WaiverWorkflow
from appkit_domain.errors import PermissionDenied
from appkit_domain.overrides import OverrideService
from appkit_domain.principal import Principal, PrincipalKind
from appkit_domain.writeback import ChangeStatus
from appkit_domain.writeback.service import WritebackService
from appkit_testing.fakes import (
    ControllableClock,
    InMemoryAuditStore,
    SequentialIds,
)
from appkit_testing.fakes.governance import memory_governance
from appkit_testing.fakes.governed_table import InMemoryGovernedTable
from appkit_testing.fakes.metric_source import InMemoryMetricSource
from appkit_testing.fakes.permissions import InMemoryPermissions
from appkit_web.sample import demo_data
from appkit_web.sample.governance import (
    demo_policies,
    demo_principals,
    demo_role_map,
    demo_writeback_rules,
)

APP = Principal("sp-demo-app", "demo-app@example.com", kind=PrincipalKind.SERVICE_PRINCIPAL)
ALICE, BOB, CAROL, DAVE, AUDITOR = (Actor.of(p) for p in demo_principals())
ACME_VAR = ("ACME", "var_99", demo_data.PERIOD)  # computed 1,250,000


@dataclass
class DemoWorld:
    clock: ControllableClock
    audit_store: InMemoryAuditStore
    audit: AuditLog
    approvals: ApprovalService
    overrides: OverrideService
    exceptions: DqExceptionService
    waivers: WaiverWorkflow
    writeback: WritebackService
    table: InMemoryGovernedTable


@pytest.fixture
def world() -> DemoWorld:
    clock = ControllableClock(demo_data.CHECK_RESULTS[-1]["detected_at"] + timedelta(hours=1))
    ids = SequentialIds()
    table = InMemoryGovernedTable()
    governance = memory_governance(clock, ids, stream="demo-app", governed=table)
    audit_store, audit = governance.audit_store, governance.audit
    approvals = ApprovalService(
        governance.units,
        governance.approvals,
        audit,
        policies=demo_policies(),
        roles=demo_role_map(),
    )
    metrics = InMemoryMetricSource()
    for row in demo_data.METRICS:
        metrics.set(row["entity"], row["metric"], row["period"], row["value"])
    table.create(demo_data.CUSTOMERS_TABLE, demo_data.CUSTOMERS_COLUMNS, demo_data.CUSTOMERS)
    permissions = InMemoryPermissions()
    permissions.grant(APP.id, demo_data.CUSTOMERS_TABLE, "SELECT", "MODIFY")
    for group in ("data-stewards", "risk-approvers", "auditors"):
        permissions.grant(group, demo_data.CUSTOMERS_TABLE, "SELECT")
    exceptions = DqExceptionService(governance.units, governance.exceptions)
    return DemoWorld(
        clock=clock,
        audit_store=audit_store,
        audit=audit,
        approvals=approvals,
        overrides=OverrideService(governance.units, governance.overrides, approvals, metrics),
        exceptions=exceptions,
        waivers=WaiverWorkflow(exceptions, approvals),
        writeback=WritebackService(
            demo_writeback_rules(),
            table,
            governance.changes,
            permissions,
            governance.units,
            service_principal=APP,
            approvals=approvals,
        ),
        table=table,
    )


async def test_small_override_needs_one_checker_who_is_not_the_maker(world: DemoWorld) -> None:
    proposal = await world.overrides.propose(
        ALICE, entity="ACME", metric="var_99", period=demo_data.PERIOD,
        value="1300000", justification="desk recalculation",
    )  # fmt: skip
    assert proposal.required_approvals == 1
    with pytest.raises(SelfApproval):
        await world.approvals.approve(proposal.approval.id, ALICE)
    with pytest.raises(NotEligible):
        await world.approvals.approve(proposal.approval.id, DAVE)
    with pytest.raises(NotEligible):
        await world.approvals.approve(proposal.approval.id, AUDITOR)
    before = await world.overrides.effective_value(*ACME_VAR)
    assert not before.overridden and before.value == Decimal("1250000")

    decided = await world.approvals.approve(proposal.approval.id, BOB, comment="agreed")
    assert decided.status is ApprovalStatus.APPLIED
    effective = await world.overrides.effective_value(*ACME_VAR)
    assert effective.overridden
    assert effective.value == Decimal("1300000")
    assert effective.overridden_by == ALICE.id
    assert effective.approval_id == proposal.approval.id


async def test_material_override_also_needs_carol(world: DemoWorld) -> None:
    proposal = await world.overrides.propose(
        ALICE, entity="ACME", metric="var_99", period=demo_data.PERIOD,
        value="1500000", justification="stress scenario",
    )  # fmt: skip
    assert proposal.required_approvals == 2
    after_bob = await world.approvals.approve(proposal.approval.id, BOB)
    assert after_bob.status is ApprovalStatus.PENDING
    assert not (await world.overrides.effective_value(*ACME_VAR)).overridden
    after_carol = await world.approvals.approve(proposal.approval.id, CAROL)
    assert after_carol.status is ApprovalStatus.APPLIED
    assert (await world.overrides.effective_value(*ACME_VAR)).value == Decimal("1500000")


async def test_tier_change_is_written_with_updated_by_after_approval(world: DemoWorld) -> None:
    proposal = await world.writeback.propose(
        ALICE, demo_data.CUSTOMERS_TABLE, {"customer_id": 2}, {"tier": "gold"}, "annual review"
    )
    assert proposal.required_approvals == 1
    assert world.table.row(demo_data.CUSTOMERS_TABLE, customer_id=2)["tier"] == "silver"
    with pytest.raises(NotEligible):
        await world.approvals.approve(proposal.approval_id, DAVE)  # type: ignore[arg-type]
    await world.approvals.approve(proposal.approval_id, BOB)  # type: ignore[arg-type]
    applied = await world.approvals.apply(proposal.approval_id, ALICE)  # type: ignore[arg-type]
    assert applied.status is ApprovalStatus.APPLIED
    row = world.table.row(demo_data.CUSTOMERS_TABLE, customer_id=2)
    assert row["tier"] == "gold"
    assert row["updated_by"] == ALICE.id
    assert (await world.writeback.get(proposal.change.id)).status is ChangeStatus.APPLIED


async def test_change_whose_row_moved_meanwhile_ends_apply_failed(world: DemoWorld) -> None:
    proposal = await world.writeback.propose(
        ALICE, demo_data.CUSTOMERS_TABLE, {"customer_id": 3}, {"tier": "silver"}, "upgrade"
    )
    await world.approvals.approve(proposal.approval_id, BOB)  # type: ignore[arg-type]
    world.table.row(demo_data.CUSTOMERS_TABLE, customer_id=3)["tier"] = "gold"  # someone else
    failed = await world.approvals.apply(proposal.approval_id, ALICE)  # type: ignore[arg-type]
    assert failed.status is ApprovalStatus.APPLY_FAILED
    change = await world.writeback.get(proposal.change.id)
    assert change.status is ChangeStatus.APPLY_FAILED
    assert change.failure
    assert world.table.row(demo_data.CUSTOMERS_TABLE, customer_id=3)["tier"] == "gold"


async def test_failed_checks_are_ingested_once_and_waived_through_approval(
    world: DemoWorld,
) -> None:
    first = await world.exceptions.ingest_rows(demo_data.CHECK_RESULTS, APP)
    again = await world.exceptions.ingest_rows(demo_data.CHECK_RESULTS, APP)
    assert not first.rejected and not again.rejected
    everything = await world.exceptions.query(DqQuery(page_size=100))
    assert len(everything.items) == len(demo_data.CHECK_RESULTS)

    alice = next(p for p in demo_principals() if p.email == "alice@example.com")
    target = everything.items[0]
    with pytest.raises(PermissionDenied):  # only the owner acknowledges
        await world.exceptions.acknowledge(target.id, DAVE.principal)
    await world.exceptions.acknowledge(target.id, alice, note="looking")
    until = world.clock.now() + timedelta(days=7)
    waiver = await world.waivers.request_waiver(target.id, ALICE, "vendor fix due", until)
    assert waiver.required_approvals == 1
    with pytest.raises(SelfApproval):
        await world.approvals.approve(waiver.approval_id, ALICE)
    await world.approvals.approve(waiver.approval_id, CAROL)
    assert (await world.exceptions.get(target.id)).status is DqStatus.WAIVED

    world.clock.advance(days=8)
    reopened = await world.exceptions.reopen_expired_waivers(APP)
    assert [e.id for e in reopened] == [target.id]
    assert (await world.exceptions.get(target.id)).status is DqStatus.REOPENED


async def test_the_auditor_finds_every_step_and_the_log_verifies(world: DemoWorld) -> None:
    proposal = await world.overrides.propose(
        ALICE, entity="GLOBEX", metric="pd", period=demo_data.PERIOD,
        value="0.036", justification="model update",
    )  # fmt: skip
    await world.approvals.approve(proposal.approval.id, BOB)
    page = await world.audit.query(AuditQuery(target=f"approval:{proposal.approval.id}"))
    actions = [e.action for e in page.items]
    assert actions[:3] == ["approval.submit", "approval.approve", "approval.apply"]
    assert {e.actor for e in page.items} >= {ALICE.id, BOB.id}
    report = await world.audit.verify([await world.audit.checkpoint()])  # type: ignore[list-item]
    assert report.ok, report.first_broken
