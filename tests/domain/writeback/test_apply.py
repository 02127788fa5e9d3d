"""Write-back apply: only after approval, optimistic on the before-image, at most once."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from appkit_domain.approvals import Actor, ApprovalRequest, ApprovalStatus
from appkit_domain.approvals.errors import SelfApproval
from appkit_domain.errors import InvalidTransition, Unavailable
from appkit_domain.writeback import ChangeQuery, ChangeStatus
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
    assert (await world2.governance.audit.verify()).ok


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


async def test_an_applied_change_is_never_applied_again(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    approval = await _approve(world, proposal)
    assert approval.status is ApprovalStatus.APPLIED
    with pytest.raises(InvalidTransition):
        await world.approvals.apply(approval.id, Actor.of(BOB))
    assert len(world.table.writes) == 1
    assert len(world.events("writeback.apply")) == 1


async def test_concurrent_applies_of_one_change_write_once() -> None:
    world = make_world(auto_apply=False)
    proposal = await _propose(world)
    approved = await _approve(world, proposal)
    assert approved.status is ApprovalStatus.APPROVED
    assert world.changes.rows[proposal.change.id].status is ChangeStatus.APPROVED
    outcomes = await asyncio.gather(
        *(world.approvals.apply(approved.id, Actor.of(p)) for p in (BOB, CAROL, ALICE, BOB)),
        return_exceptions=True,
    )
    assert sum(isinstance(o, ApprovalRequest) for o in outcomes) == 1
    assert [w.change_id for w in world.table.writes] == [proposal.change.id]
    assert len(world.events("writeback.apply")) == 1
    assert world.customer(1)["tier"] == "gold"


async def test_a_pending_change_cannot_be_applied(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    assert proposal.approval_id is not None
    with pytest.raises(InvalidTransition):
        await world.approvals.apply(proposal.approval_id, Actor.of(BOB))
    assert world.table.writes == []


async def test_a_second_change_from_the_same_before_image_conflicts_even_with_the_same_value(
    world: WritebackWorld,
) -> None:
    first = await _propose(world, 1, "gold")
    second = await _propose(world, 1, "gold")
    assert (await _approve(world, first)).status is ApprovalStatus.APPLIED
    failed = await _approve(world, second)
    assert failed.status is ApprovalStatus.APPLY_FAILED
    assert "changed since" in (failed.failure or "")
    change = world.changes.rows[second.change.id]
    assert change.status is ChangeStatus.APPLY_FAILED
    assert [w.change_id for w in world.table.writes] == [first.change.id]
    assert [e.target for e in world.events("writeback.apply")] == [first.change.target]


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
    with pytest.raises(InvalidTransition):
        await world.approvals.apply(proposal.approval_id, Actor.of(BOB))
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


async def test_an_apply_whose_commit_fails_writes_neither_the_row_nor_any_state(
    world: WritebackWorld,
) -> None:
    proposal = await _propose(world)
    assert proposal.approval_id is not None
    world.governance.store.fail_next_write(action="writeback.apply")
    with pytest.raises(Unavailable):
        await _approve(world, proposal)
    approval = await world.approvals.get(proposal.approval_id)
    assert approval.status is ApprovalStatus.PENDING and approval.decisions == ()
    assert world.table.writes == [] and world.customer(1)["tier"] == "silver"
    assert world.changes.rows[proposal.change.id].status is ChangeStatus.PENDING
    retried = await _approve(world, proposal)
    assert retried.status is ApprovalStatus.APPLIED
    assert (await world.service.get(proposal.change.id)).status is ChangeStatus.APPLIED
    assert len(world.table.writes) == 1
    assert len(world.events("writeback.apply")) == 1


async def test_a_change_follows_its_approval_in_the_step_that_moves_it(
    world: WritebackWorld,
) -> None:
    rejected = await _propose(world, 1, "gold")
    withdrawn = await _propose(world, 2, "platinum")
    assert rejected.approval_id and withdrawn.approval_id
    await world.approvals.reject(rejected.approval_id, Actor.of(BOB), comment="no")
    await world.approvals.withdraw(withdrawn.approval_id, Actor.of(ALICE), reason="not needed")
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


async def test_a_decision_whose_follower_cannot_commit_is_not_recorded(
    world: WritebackWorld,
) -> None:
    proposal = await _propose(world)
    assert proposal.approval_id is not None
    world.governance.store.fail_next_write(action="writeback.status")
    with pytest.raises(Unavailable):
        await world.approvals.reject(proposal.approval_id, Actor.of(BOB), comment="no")
    assert (await world.approvals.get(proposal.approval_id)).status is ApprovalStatus.PENDING
    assert world.changes.rows[proposal.change.id].status is ChangeStatus.PENDING


async def test_an_approval_and_its_apply_are_one_commit(world: WritebackWorld) -> None:
    proposal = await _propose(world)
    writes = world.governance.store.writes
    approval = await _approve(world, proposal)
    assert approval.status is ApprovalStatus.APPLIED
    assert world.governance.store.writes == writes + 1
    change = world.changes.rows[proposal.change.id]
    assert change.status is ChangeStatus.APPLIED and change.version == proposal.change.version + 1
    assert len(world.table.writes) == 1


async def test_a_change_moved_while_it_is_applied_is_applied_once_from_fresh_state(
    world: WritebackWorld,
) -> None:
    world2 = make_world(auto_apply=False)
    proposal = await _propose(world2)
    approved = await _approve(world2, proposal)
    change_id = proposal.change.id
    write = world2.governance.store.write
    moved = False

    async def moved_meanwhile(batch: Any) -> None:
        # Another writer saves the change between the apply's read and its commit: the
        # commit is refused and the apply runs again on the change as it is now.
        nonlocal moved
        if not moved:
            moved = True
            stored = world2.changes.rows[change_id]
            world2.changes.put(dataclasses.replace(stored, version=stored.version + 1))
        await write(batch)

    world2.governance.store.write = moved_meanwhile  # type: ignore[method-assign]
    applied = await world2.approvals.apply(approved.id, Actor.of(CAROL))
    assert applied.status is ApprovalStatus.APPLIED
    assert world2.changes.rows[change_id].status is ChangeStatus.APPLIED
    assert len(world2.table.writes) == 1
    assert len(world2.events("writeback.apply")) == 1


async def test_a_change_needing_no_approval_is_applied_in_the_step_that_proposes_it(
    world: WritebackWorld,
) -> None:
    writes = world.governance.store.writes
    proposal = await world.service.propose(ALICE, NOTES, {"note_id": 1}, {"body": "hi"}, "typo")
    assert proposal.change.status is ChangeStatus.APPLIED
    assert world.governance.store.writes == writes + 1
    assert world.changes.rows[proposal.change.id] == proposal.change
    assert [e.action for e in world.events() if e.target == proposal.change.target] == [
        "writeback.propose",
        "writeback.apply",
    ]
    assert len(world.table.writes) == 1
