"""Waivers go through approval; they end, and recurrences after them reopen the exception."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from appkit_domain.approvals import Actor, ApprovalStatus, thaw
from appkit_domain.approvals.errors import SelfApproval
from appkit_domain.dq import DqException, DqStatus
from appkit_domain.dq.recording import Outcome
from appkit_domain.dq.waiver import WaiverProposal
from appkit_domain.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    PermissionDenied,
    Unavailable,
)
from appkit_domain.principal import Principal
from tests.domain.dq.world import ALICE, BOB, HOUR, INGESTER, DqWorld

DAY = timedelta(days=1)


async def _acknowledged(world: DqWorld, key: str = "customer_id=7") -> DqException:
    item = (await world.service.raise_exception(world.failure(key), INGESTER)).exception
    return await world.service.acknowledge(item.id, ALICE)


async def _request(world: DqWorld, item: DqException, days: int = 5) -> WaiverProposal:
    return await world.waivers.request_waiver(
        item.id, ALICE, "upstream fix scheduled", world.clock.now() + days * DAY
    )


async def _waived(world: DqWorld, days: int = 5) -> DqException:
    item = await _acknowledged(world)
    proposal = await _request(world, item, days)
    await world.approvals.approve(proposal.approval_id, Actor.of(BOB))
    return world.store.rows[item.id]


async def test_waiving_needs_an_approval_request(world: DqWorld) -> None:
    item = await _acknowledged(world)
    proposal = await _request(world, item)
    assert proposal.approval.kind == "dq_waiver"
    assert proposal.approval.status is ApprovalStatus.PENDING
    assert proposal.required_approvals == 1
    payload = thaw(proposal.approval.payload)
    assert payload["exception_id"] == item.id
    assert payload["justification"] == "upstream fix scheduled"
    # Not waived until approved.
    assert world.store.rows[item.id].status is DqStatus.ACKNOWLEDGED
    assert world.store.rows[item.id].pending_waiver_approval_id == proposal.approval_id
    approval = await world.approvals.approve(proposal.approval_id, Actor.of(BOB))
    assert approval.status is ApprovalStatus.APPLIED
    waived = world.store.rows[item.id]
    assert waived.status is DqStatus.WAIVED
    assert waived.waiver is not None
    assert waived.waiver.approval_id == proposal.approval_id
    assert waived.waiver.until == world.clock.now() + 5 * DAY


async def test_waiver_needs_a_justification_and_a_future_end(world: DqWorld) -> None:
    item = await _acknowledged(world)
    with pytest.raises(InvalidInput, match="justification"):
        await world.waivers.request_waiver(item.id, ALICE, " ", world.clock.now() + DAY)
    with pytest.raises(InvalidInput, match="future"):
        await world.waivers.request_waiver(item.id, ALICE, "why", world.clock.now())


async def test_waiving_an_open_exception_is_an_invalid_transition(world: DqWorld) -> None:
    item = (await world.service.raise_exception(world.failure(), INGESTER)).exception
    with pytest.raises(InvalidTransition):
        await world.waivers.request_waiver(item.id, ALICE, "why", world.clock.now() + DAY)
    assert (await world.approvals.list()).items == []


async def test_second_waiver_request_while_one_is_pending_is_a_conflict(world: DqWorld) -> None:
    item = await _acknowledged(world)
    await _request(world, item)
    with pytest.raises(Conflict):
        await _request(world, item)


async def test_requester_cannot_approve_their_own_waiver(world: DqWorld) -> None:
    item = await _acknowledged(world)
    proposal = await _request(world, item)
    with pytest.raises(SelfApproval):
        await world.approvals.approve(proposal.approval_id, Actor.of(ALICE))
    assert world.store.rows[item.id].status is DqStatus.ACKNOWLEDGED


async def test_rejected_waiver_leaves_the_exception_acknowledged(world: DqWorld) -> None:
    item = await _acknowledged(world)
    proposal = await _request(world, item)
    await world.approvals.reject(proposal.approval_id, Actor.of(BOB), comment="fix it")
    assert world.store.rows[item.id].status is DqStatus.ACKNOWLEDGED
    again = await _request(world, item)  # a new request is possible after the rejection
    assert again.approval_id != proposal.approval_id


async def test_waiver_approved_after_its_end_ends_apply_failed(world: DqWorld) -> None:
    item = await _acknowledged(world)
    proposal = await _request(world, item, days=1)
    world.clock.advance(DAY + HOUR)
    approval = await world.approvals.approve(proposal.approval_id, Actor.of(BOB))
    assert approval.status is ApprovalStatus.APPLY_FAILED
    assert world.store.rows[item.id].status is DqStatus.ACKNOWLEDGED


async def test_waiver_of_an_exception_resolved_meanwhile_ends_apply_failed(
    world: DqWorld,
) -> None:
    item = await _acknowledged(world)
    proposal = await _request(world, item)
    await world.service.resolve(item.id, ALICE, "fixed after all")
    approval = await world.approvals.approve(proposal.approval_id, Actor.of(BOB))
    assert approval.status is ApprovalStatus.APPLY_FAILED
    assert world.store.rows[item.id].status is DqStatus.RESOLVED


async def test_waiver_expiry_reopens_exception(world: DqWorld) -> None:
    waived = await _waived(world, days=2)
    assert waived.status is DqStatus.WAIVED
    assert await world.service.reopen_expired_waivers(INGESTER) == []
    world.clock.advance(2 * DAY)
    (reopened,) = await world.service.reopen_expired_waivers(INGESTER)
    assert reopened.id == waived.id
    assert reopened.status is DqStatus.REOPENED
    assert reopened.reopen_reason == "waiver_expired"
    assert reopened.due_at == world.clock.now() + 2 * DAY
    assert world.store.rows[waived.id].status is DqStatus.REOPENED


async def test_waiver_sweep_reopens_each_exception_once(world: DqWorld) -> None:
    waived = await _waived(world, days=1)
    world.clock.advance(3 * DAY)
    first = await world.service.reopen_expired_waivers(INGESTER)
    second = await world.service.reopen_expired_waivers(INGESTER)
    assert [e.id for e in first] == [waived.id] and second == []
    assert len(world.events("dq.reopen")) == 1


async def test_recurrence_inside_the_waiver_window_stays_waived(world: DqWorld) -> None:
    waived = await _waived(world, days=5)
    world.clock.advance(DAY)
    recorded = await world.service.raise_exception(world.failure(), INGESTER)
    assert recorded.outcome is Outcome.STILL_WAIVED
    assert world.store.rows[waived.id].status is DqStatus.WAIVED


async def test_recurrence_after_the_waiver_window_reopens(world: DqWorld) -> None:
    waived = await _waived(world, days=5)
    world.clock.advance(6 * DAY)
    recorded = await world.service.raise_exception(world.failure(), INGESTER)
    assert recorded.outcome is Outcome.REOPENED
    assert recorded.exception.id == waived.id
    assert recorded.exception.reopen_reason == "recurred_after_waiver"
    assert world.store.rows[waived.id].status is DqStatus.REOPENED


async def test_waived_exception_is_not_overdue(world: DqWorld) -> None:
    waived = await _waived(world, days=30)
    world.clock.advance(10 * DAY)
    assert waived.id not in [e.id for e in (await world.service.overdue()).items]


async def test_waiver_request_and_grant_are_audited_with_maker_and_checker(
    world: DqWorld,
) -> None:
    waived = await _waived(world)
    (asked,) = world.events("dq.waiver_request")
    (granted,) = world.events("dq.waive")
    assert asked.actor == ALICE.id
    assert granted.actor == BOB.id
    assert granted.details["requested_by"] == ALICE.id
    assert granted.details["approvers"] == [BOB.id]
    assert (granted.details["from"], granted.details["to"]) == ("ACKNOWLEDGED", "WAIVED")
    assert granted.target == waived.target
    assert (await world.governance.audit.verify()).ok


async def test_no_waiver_is_acknowledged_before_its_audit_event_is_durable(world: DqWorld) -> None:
    item = await _acknowledged(world)
    proposal = await _request(world, item)
    world.governance.store.fail_next_write(action="dq.waive")
    with pytest.raises(Unavailable):
        await world.approvals.approve(proposal.approval_id, Actor.of(BOB))
    approval = await world.approvals.get(proposal.approval_id)
    assert approval.status is ApprovalStatus.PENDING and approval.decisions == ()
    assert world.store.rows[item.id].status is DqStatus.ACKNOWLEDGED
    assert world.events("dq.waive") == []
    # Approving again grants the waiver and settles the approval, in one step.
    retried = await world.approvals.approve(proposal.approval_id, Actor.of(BOB))
    assert retried.status is ApprovalStatus.APPLIED
    assert world.store.rows[item.id].status is DqStatus.WAIVED
    assert len(world.events("dq.waive")) == 1


async def test_two_waiver_requests_at_once_leave_one_pending(world: DqWorld) -> None:
    item = await _acknowledged(world)
    outcomes = await asyncio.gather(
        _request(world, item), _request(world, item), return_exceptions=True
    )
    proposals = [o for o in outcomes if isinstance(o, WaiverProposal)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(proposals) == 1 and len(refused) == 1
    assert isinstance(refused[0], Conflict)
    pending = await world.approvals.list(status=ApprovalStatus.PENDING)
    assert [a.id for a in pending.items] == [proposals[0].approval_id]
    assert world.store.rows[item.id].pending_waiver_approval_id == proposals[0].approval_id
    assert len(world.events("dq.waiver_request")) == 1


async def test_a_waiver_request_that_ends_without_a_waiver_is_unlinked_from_its_exception(
    world: DqWorld,
) -> None:
    item = await _acknowledged(world)
    proposal = await _request(world, item)
    await world.approvals.reject(proposal.approval_id, Actor.of(BOB), comment="fix it instead")
    unlinked = world.store.rows[item.id]
    assert unlinked.status is DqStatus.ACKNOWLEDGED
    assert unlinked.pending_waiver_approval_id is None
    (event,) = world.events("dq.waiver_request_closed")
    assert event.details["approval_id"] == proposal.approval_id
    assert event.details["approval_status"] == "REJECTED"
    again = await _request(world, unlinked)
    assert world.store.rows[item.id].pending_waiver_approval_id == again.approval_id


async def test_a_waiver_request_and_its_link_commit_in_one_step(world: DqWorld) -> None:
    item = await _acknowledged(world)
    writes = world.governance.store.writes
    proposal = await _request(world, item)
    assert world.governance.store.writes == writes + 1
    linked = world.store.rows[item.id]
    assert linked.pending_waiver_approval_id == proposal.approval_id
    assert linked.version == item.version + 1
    assert world.approvals.store.requests[proposal.approval_id].status is ApprovalStatus.PENDING


async def test_a_waiver_request_whose_commit_fails_leaves_no_orphan(world: DqWorld) -> None:
    item = await _acknowledged(world)
    world.governance.store.fail_next_write(action="dq.waiver_request")
    with pytest.raises(Unavailable):
        await _request(world, item)
    assert world.approvals.store.requests == {}
    assert world.store.rows[item.id].pending_waiver_approval_id is None


async def test_only_the_owner_may_request_a_waiver(world: DqWorld) -> None:
    item = await _acknowledged(world)
    other_maker = Principal("u-mallory", "mallory@example.com", groups=ALICE.groups)
    with pytest.raises(PermissionDenied, match="owner"):
        await world.waivers.request_waiver(
            item.id, other_maker, "mine now", world.clock.now() + DAY
        )
    assert world.store.rows[item.id].pending_waiver_approval_id is None
    # The owner's own request is not blocked by the refused one.
    proposal = await _request(world, item)
    assert proposal.approval.status is ApprovalStatus.PENDING
