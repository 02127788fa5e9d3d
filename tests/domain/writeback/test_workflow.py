"""Write-back through the approval policy: quorum, explicit apply, acting on behalf."""

from __future__ import annotations

import asyncio

import pytest

from appkit_domain.approvals import Actor, ApprovalStatus
from appkit_domain.errors import Unavailable
from appkit_domain.writeback import ChangeStatus
from tests.domain.writeback.world import ALICE, APP, BOB, CAROL, CUSTOMERS, NOTES, make_world


async def test_change_is_applied_only_once_the_quorum_is_reached() -> None:
    world = make_world(quorum=2)
    proposal = await world.service.propose(
        ALICE, CUSTOMERS, {"customer_id": 1}, {"tier": "platinum"}, "board decision"
    )
    assert proposal.required_approvals == 2
    assert proposal.approval_id is not None
    await world.approvals.approve(proposal.approval_id, Actor.of(BOB))
    assert world.table.writes == []
    assert (await world.service.get(proposal.change.id)).status is ChangeStatus.PENDING
    await world.approvals.approve(proposal.approval_id, Actor.of(CAROL))
    change = await world.service.get(proposal.change.id)
    assert change.status is ChangeStatus.APPLIED
    assert change.approvers == (BOB.id, CAROL.id)
    assert len(world.table.writes) == 1


async def test_approved_change_waits_for_an_explicit_apply_when_the_policy_says_so() -> None:
    world = make_world(auto_apply=False)
    proposal = await world.service.propose(
        ALICE, CUSTOMERS, {"customer_id": 2}, {"tier": "bronze"}, "downgrade"
    )
    assert proposal.approval_id is not None
    approval = await world.approvals.approve(proposal.approval_id, Actor.of(BOB))
    assert approval.status is ApprovalStatus.APPROVED
    assert (await world.service.get(proposal.change.id)).status is ChangeStatus.APPROVED
    assert world.table.writes == []
    applied = await world.approvals.apply(proposal.approval_id, Actor.of(BOB))
    assert applied.status is ApprovalStatus.APPLIED
    change = await world.service.get(proposal.change.id)
    assert change.status is ChangeStatus.APPLIED
    assert world.customer(2)["tier"] == "bronze"


async def test_service_principal_proposing_for_a_user_records_the_user_as_maker() -> None:
    world = make_world()
    on_behalf = Actor(APP, on_behalf_of=ALICE)
    proposal = await world.service.propose(
        on_behalf, CUSTOMERS, {"customer_id": 1}, {"tier": "gold"}, "via the app"
    )
    assert proposal.change.requested_by == ALICE.id
    # The user's own read privilege is what counts, not the app's.
    assert (ALICE.id, CUSTOMERS.full_name, "SELECT") in world.permissions.checks
    (event,) = world.events("writeback.propose")
    assert (event.actor, event.on_behalf_of) == (APP.id, ALICE.id)


async def test_reading_a_change_while_it_is_applied_does_not_double_apply() -> None:
    world = make_world()
    proposal = await world.service.propose(
        ALICE, CUSTOMERS, {"customer_id": 1}, {"tier": "gold"}, "race the reader"
    )
    assert proposal.approval_id is not None
    change_id = proposal.change.id
    await asyncio.gather(
        world.approvals.approve(proposal.approval_id, Actor.of(BOB)),
        *(world.service.get(change_id) for _ in range(5)),
    )
    change = await world.service.get(change_id)
    assert change.status is ChangeStatus.APPLIED
    assert len(world.table.writes) == 1
    assert len(world.events("writeback.apply")) == 1


async def test_a_change_whose_commit_could_not_reach_the_store_stores_nothing() -> None:
    world = make_world()
    world.governance.store.fail_next_write(action="writeback.apply")
    with pytest.raises(Unavailable):
        await world.service.propose(ALICE, NOTES, {"note_id": 1}, {"body": "retry me"}, "typo")
    assert world.changes.rows == {} and world.table.writes == []
    applied = await world.service.propose(ALICE, NOTES, {"note_id": 1}, {"body": "retry me"}, "t")
    assert applied.change.status is ChangeStatus.APPLIED
    assert len(world.table.writes) == 1
