"""Write-back apply: only after approval, optimistic on the before-image, at most once."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from appkit_domain.approvals import Actor, ApplyContext, ApprovalRequest, ApprovalStatus
from appkit_domain.approvals.errors import SelfApproval
from appkit_domain.errors import Conflict, InvalidTransition, Unavailable
from appkit_domain.ports.governed_table import ApplyOutcome
from appkit_domain.writeback import ChangeQuery, ChangeRequest, ChangeStatus
from appkit_domain.writeback.service import Proposal
from tests.domain.writeback.world import (
    ALICE,
    APP,
    BOB,
    CAROL,
    CUSTOMERS,
    NOTES,
    WritebackWorld,
    make_world,
)


async def _propose(world: WritebackWorld, customer_id: int = 1, tier: str = "gold") -> Proposal:
    return await world.service.propose(
        ALICE, CUSTOMERS, {"customer_id": customer_id}, {"tier": tier}, "contract signed"
    )


async def _approve(world: WritebackWorld, proposal: Proposal, by=BOB):  # type: ignore[no-untyped-def]
    assert proposal.approval_id is not None
    return await world.approvals.approve(proposal.approval_id, Actor.of(by))


async def test_approved_change_is_applied_and_both_end_applied(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    approval = await _approve(world, proposal)
    assert approval.status is ApprovalStatus.APPLIED
    change = await world.service.get(proposal.change.id)
    assert change.status is ChangeStatus.APPLIED
    assert change.approvers == (BOB.id,)
    assert world.customer(1)["tier"] == "gold"
    assert len(world.table.writes) == 1
    assert approval.result is not None and approval.result["change_id"] == change.id


async def test_audit_columns_are_filled_when_the_table_has_them(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    world.clock.advance(hours=2)
    await _approve(world, proposal)
    row = world.customer(1)
    assert row["updated_by"] == ALICE.id
    assert row["updated_at"] == world.clock.now()
    (write,) = world.table.writes
    # The table has no approved_by / approval_id column: they are not written.
    assert set(write.values) == {"tier", "updated_by", "updated_at"}


async def test_configured_audit_column_names_are_used(world: WritebackWorld) -> None:
    proposal = await world.service.propose(ALICE, NOTES, {"note_id": 1}, {"body": "hi"}, "typo")
    assert proposal.change.status is ChangeStatus.APPLIED
    row = world.table.row(NOTES, note_id=1)
    assert row["changed_by"] == ALICE.id and row["changed_at"] == world.clock.now()


async def test_maker_and_checkers_are_always_in_the_audit_log(world: WritebackWorld) -> None:
    world2 = make_world(quorum=2)
    proposal = await _propose(world2)
    await _approve(world2, proposal, BOB)
    await _approve(world2, proposal, CAROL)
    (event,) = world2.events("writeback.apply")
    assert event.details["maker"] == ALICE.id
    assert event.details["checkers"] == [BOB.id, CAROL.id]
    assert (await world2.service.audit.verify()).ok


async def test_writes_run_as_the_apps_service_principal(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    await _approve(world, proposal)
    (event,) = world.events("writeback.apply")
    assert event.actor == APP.id
    assert event.on_behalf_of == ALICE.id
    assert event.details["executed_as"] == APP.id
    assert world.changes.rows[proposal.change.id].executed_by == APP.id
    assert (APP.id, CUSTOMERS.full_name, "MODIFY") in world.permissions.checks


async def test_row_changed_since_proposal_ends_apply_failed_and_writes_nothing(
    world: WritebackWorld,
) -> None:
    proposal = await _propose(world)
    world.customer(1)["tier"] = "bronze"  # someone else changed the row meanwhile
    approval = await _approve(world, proposal)
    assert approval.status is ApprovalStatus.APPLY_FAILED
    assert approval.failure is not None and "changed since" in approval.failure
    change = await world.service.get(proposal.change.id)
    assert change.status is ChangeStatus.APPLY_FAILED
    assert change.failure is not None and "tier" in change.failure
    assert world.table.writes == []
    assert world.customer(1)["tier"] == "bronze"
    assert world.customer(1)["updated_by"] is None
    (event,) = world.events("writeback.apply_failed")
    assert event.details["failure"] == change.failure


async def test_change_to_another_column_of_the_row_is_also_a_conflict(
    world: WritebackWorld,
) -> None:
    proposal = await _propose(world)
    world.customer(1)["name"] = "Acme Holdings"
    approval = await _approve(world, proposal)
    assert approval.status is ApprovalStatus.APPLY_FAILED
    assert world.table.writes == []


async def test_row_deleted_since_proposal_ends_apply_failed(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    world.table.rows[CUSTOMERS.full_name].remove(world.customer(1))
    approval = await _approve(world, proposal)
    assert approval.status is ApprovalStatus.APPLY_FAILED
    assert (await world.service.get(proposal.change.id)).failure is not None
    assert world.table.writes == []


async def test_apply_is_idempotent_per_change_id(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    await _approve(world, proposal)
    again = await world.service.apply(proposal.change.id)
    assert again.status is ChangeStatus.APPLIED
    assert len(world.table.writes) == 1
    # Even asked directly, the table port writes a change id once.
    change = world.changes.rows[proposal.change.id]
    outcome = await world.table.apply_change(
        change.id, change.table, change.key, change.before, change.values, {}
    )
    assert outcome.applied and outcome.replayed
    assert len(world.table.writes) == 1


async def test_concurrent_applies_of_one_change_id_write_once(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    assert proposal.approval is not None
    # The applier invoked many times at once for one approved request (e.g. a redelivery).
    approved = dataclasses.replace(
        proposal.approval, status=ApprovalStatus.APPROVED, apply_claimed=True
    )
    context = ApplyContext(Actor.of(BOB), (BOB.id,), world.clock.now())
    results = await asyncio.gather(
        *(world.service.apply_approved(approved, context) for _ in range(8))
    )
    assert {r["status"] for r in results} == {"APPLIED"}
    assert [w.change_id for w in world.table.writes] == [proposal.change.id]
    assert len(world.events("writeback.apply")) == 1
    assert world.customer(1)["tier"] == "gold"


async def test_change_needing_approval_cannot_be_applied_directly(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    with pytest.raises(InvalidTransition):
        await world.service.apply(proposal.change.id)
    assert world.table.writes == []
    assert "apply_change" not in world.table.calls


async def test_applier_refuses_a_request_that_is_not_approved(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    assert proposal.approval is not None
    context = ApplyContext(Actor.of(BOB), (BOB.id,), world.clock.now())
    with pytest.raises(Conflict):
        await world.service.apply_approved(proposal.approval, context)
    assert world.table.writes == []


async def test_concurrent_port_applies_of_one_change_id_write_once(world: WritebackWorld) -> None:
    before = dict(world.customer(2))
    outcomes = await asyncio.gather(
        *(
            world.table.apply_change(
                "chg-x", CUSTOMERS, {"customer_id": 2}, before, {"tier": "bronze"}, {}
            )
            for _ in range(10)
        )
    )
    assert len(world.table.writes) == 1
    assert sum(1 for o in outcomes if not o.replayed) == 1
    assert all(o.applied for o in outcomes)


async def test_requester_cannot_approve_their_own_change(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    with pytest.raises(SelfApproval):
        await _approve(world, proposal, ALICE)
    assert world.table.writes == []


async def test_rejected_change_is_mirrored_and_nothing_is_written(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    assert proposal.approval_id is not None
    await world.approvals.reject(proposal.approval_id, Actor.of(BOB), comment="no")
    change = await world.service.get(proposal.change.id)
    assert change.status is ChangeStatus.REJECTED
    assert world.table.writes == []
    assert [e.details["to"] for e in world.events("writeback.status")] == ["REJECTED"]


async def test_rejected_change_cannot_be_applied(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    assert proposal.approval_id is not None
    await world.approvals.reject(proposal.approval_id, Actor.of(BOB), comment="no")
    await world.service.get(proposal.change.id)
    with pytest.raises(InvalidTransition):
        await world.service.apply(proposal.change.id)
    assert world.table.writes == []


async def test_expired_change_is_mirrored_and_never_applied(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    world.clock.advance(timedelta(days=4))
    await world.approvals.expire_due(Actor.of(APP))
    change = await world.service.get(proposal.change.id)
    assert change.status is ChangeStatus.EXPIRED
    assert world.table.writes == []


async def test_table_without_approval_requirement_applies_at_once(
    world: WritebackWorld,
) -> None:
    proposal = await world.service.propose(ALICE, NOTES, {"note_id": 1}, {"body": "hi"}, "typo")
    assert proposal.approval is None and proposal.required_approvals == 0
    assert proposal.change.status is ChangeStatus.APPLIED
    assert world.approval_store.requests == {}
    assert len(world.table.writes) == 1


async def test_service_principal_without_modify_ends_apply_failed(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    world.permissions.revoke(APP.id, CUSTOMERS, "MODIFY")
    approval = await _approve(world, proposal)
    assert approval.status is ApprovalStatus.APPLY_FAILED
    assert "may not modify" in (approval.failure or "")
    assert world.table.writes == []


async def test_what_is_applied_is_exactly_what_was_approved(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    stored = world.changes.rows[proposal.change.id]
    world.changes.rows[stored.id] = dataclasses.replace(stored, values={"tier": "platinum"})
    approval = await _approve(world, proposal)
    assert approval.status is ApprovalStatus.APPLY_FAILED
    assert world.table.writes == []
    assert world.customer(1)["tier"] == "silver"


async def test_changes_are_listed_by_status_and_paginated(world: WritebackWorld) -> None:
    first = await _propose(world, 1, "gold")
    world.clock.advance(minutes=1)
    await _propose(world, 2, "platinum")
    await _approve(world, first)
    page = await world.service.query(ChangeQuery(statuses=frozenset({ChangeStatus.APPLIED})))
    assert [c.id for c in page.items] == [first.change.id]
    one = await world.service.query(ChangeQuery(page_size=1))
    two = await world.service.query(ChangeQuery(page_size=1, page_token=one.next_page_token))
    assert two.next_page_token is None
    assert {c.id for c in [*one.items, *two.items]} == set(world.changes.rows)


async def test_no_apply_is_acknowledged_before_its_audit_event_is_durable(
    world: WritebackWorld,
) -> None:
    proposal = await _propose(world)
    assert proposal.approval_id is not None
    world.audit_store.fail_next_append(action="writeback.apply")
    with pytest.raises(Unavailable):
        await _approve(world, proposal)
    # The row was written, but neither the approval nor the change reports success yet.
    approval = await world.approvals.get(proposal.approval_id)
    assert approval.status is ApprovalStatus.APPROVED and not approval.apply_claimed
    assert len(world.table.writes) == 1
    retried = await world.approvals.apply(proposal.approval_id, Actor.of(BOB))
    assert retried.status is ApprovalStatus.APPLIED
    assert (await world.service.get(proposal.change.id)).status is ChangeStatus.APPLIED
    assert len(world.table.writes) == 1


async def test_a_change_follows_its_approval_when_it_settles_without_being_read(
    world: WritebackWorld,
) -> None:
    rejected = await _propose(world, 1, "gold")
    withdrawn = await _propose(world, 2, "platinum")
    assert rejected.approval_id and withdrawn.approval_id
    await world.approvals.reject(rejected.approval_id, Actor.of(BOB), comment="no")
    await world.approvals.withdraw(withdrawn.approval_id, Actor.of(ALICE), reason="not needed")
    # The stored changes, not a read through the service, carry the end of their approval.
    assert world.changes.rows[rejected.change.id].status is ChangeStatus.REJECTED
    assert world.changes.rows[withdrawn.change.id].status is ChangeStatus.WITHDRAWN
    expired = await _propose(world, 1, "platinum")
    world.clock.advance(timedelta(days=4))
    await world.approvals.expire_due(Actor.of(APP))
    assert world.changes.rows[expired.change.id].status is ChangeStatus.EXPIRED
    assert [e.details["to"] for e in world.events("writeback.status")] == [
        "REJECTED",
        "WITHDRAWN",
        "EXPIRED",
    ]
    assert world.table.writes == []


async def test_no_settlement_is_acknowledged_while_the_change_it_moved_is_not_audited(
    world: WritebackWorld,
) -> None:
    proposal = await _propose(world)
    assert proposal.approval_id is not None
    world.audit_store.fail_next_append(action="writeback.status")
    with pytest.raises(Unavailable):
        await world.approvals.reject(proposal.approval_id, Actor.of(BOB), comment="no")
    assert (await world.approvals.get(proposal.approval_id)).status is ApprovalStatus.REJECTED
    assert world.table.writes == []


def _count_reads(world: WritebackWorld) -> dict[str, int]:
    """Count change and approval reads from now on (the stores' ``get``)."""
    reads = {"change": 0, "approval": 0}
    change_get, approval_get = world.changes.get, world.approval_store.get

    async def counted_change(change_id: str) -> ChangeRequest:
        reads["change"] += 1
        return await change_get(change_id)

    async def counted_approval(approval_id: str) -> ApprovalRequest:
        reads["approval"] += 1
        return await approval_get(approval_id)

    world.changes.get = counted_change  # type: ignore[method-assign]
    world.approval_store.get = counted_approval  # type: ignore[method-assign]
    return reads


async def test_an_approved_change_is_read_once_to_be_applied(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    reads = _count_reads(world)
    approval = await _approve(world, proposal)
    assert approval.status is ApprovalStatus.APPLIED
    # The decision reads the request; the applier reads the change once and applies what it
    # read; the settlement of an APPLIED request has nothing to mirror and reads nothing.
    assert reads == {"change": 1, "approval": 1}
    assert world.changes.rows[proposal.change.id].status is ChangeStatus.APPLIED
    assert len(world.table.writes) == 1


async def test_a_change_moved_while_it_is_applied_is_read_again_and_written_once(
    world: WritebackWorld,
) -> None:
    proposal = await _propose(world)
    change_id = proposal.change.id
    apply_change = world.table.apply_change

    async def moved_meanwhile(*args: Any, **kwargs: Any) -> ApplyOutcome:
        # Another writer (a read mirroring the approval) saves the change while the row is
        # written: the apply's save of what it read goes stale and it must start again.
        stored = world.changes.rows[change_id]
        if stored.status is ChangeStatus.PENDING:
            world.changes.rows[change_id] = stored.moved(ChangeStatus.APPROVED, world.clock.now())
        return await apply_change(*args, **kwargs)

    world.table.apply_change = moved_meanwhile  # type: ignore[method-assign]
    approval = await _approve(world, proposal)
    assert approval.status is ApprovalStatus.APPLIED
    change = world.changes.rows[change_id]
    assert change.status is ChangeStatus.APPLIED
    assert change.version == proposal.change.version + 2  # the mirror's save, then the apply's
    assert len(world.table.writes) == 1
    assert len(world.events("writeback.apply")) == 1


async def test_a_settled_approval_is_mirrored_onto_its_change_without_being_read_again(
    world: WritebackWorld,
) -> None:
    proposal = await _propose(world)
    assert proposal.approval_id is not None
    reads = _count_reads(world)
    await world.approvals.reject(proposal.approval_id, Actor.of(BOB), comment="no")
    assert reads == {"change": 1, "approval": 1}  # the decision's read, the mirror's read
    assert world.changes.rows[proposal.change.id].status is ChangeStatus.REJECTED


async def test_a_change_needing_no_approval_is_applied_from_what_was_stored_without_a_read(
    world: WritebackWorld,
) -> None:
    reads = _count_reads(world)
    proposal = await world.service.propose(ALICE, NOTES, {"note_id": 1}, {"body": "hi"}, "typo")
    assert proposal.change.status is ChangeStatus.APPLIED
    assert reads["change"] == 0  # stored by this proposal; its save is version-checked
    assert world.changes.rows[proposal.change.id] == proposal.change
    again = await world.service.apply(proposal.change.id)
    assert again == proposal.change and reads["change"] == 1
    assert len(world.table.writes) == 1
