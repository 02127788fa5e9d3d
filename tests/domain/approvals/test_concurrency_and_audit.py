"""Rules 9 (versioned steps, bounded retries, at-most-once apply) and 10 (audit)."""

from __future__ import annotations

import asyncio

import pytest

from appkit_domain.approvals import (
    Actor,
    ApprovalRequest,
    ApprovalStatus,
    ConcurrentModification,
)
from appkit_domain.errors import Conflict, StaleVersion, Unavailable
from appkit_domain.principal import Principal
from appkit_domain.unit_of_work import CommitBatch, StepsRejected
from tests.domain.approvals.world import ALICE, APP, BOB, CAROL, ERIN, ApprovalWorld, make_world


async def test_rule9_racing_decisions_are_retried_on_fresh_state(world: ApprovalWorld) -> None:
    request = await world.submit("pair")
    results = await asyncio.gather(
        world.service.approve(request.id, Actor(BOB)),
        world.service.approve(request.id, Actor(CAROL)),
    )
    assert world.service.units.commits.rejected >= 1
    final = await world.service.get(request.id)
    assert final.status is ApprovalStatus.APPLIED
    assert sorted(final.approvers) == [BOB.id, CAROL.id]
    assert world.applied() == [request.id]
    assert {r.status for r in results} >= {ApprovalStatus.APPLIED}


async def test_rule9_racing_decisions_cannot_both_count_past_quorum(world: ApprovalWorld) -> None:
    request = await world.submit("change")
    outcomes = await asyncio.gather(
        world.service.approve(request.id, Actor(BOB)),
        world.service.approve(request.id, Actor(CAROL)),
        world.service.reject(request.id, Actor(ERIN)),
        return_exceptions=True,
    )
    winners = [o for o in outcomes if isinstance(o, ApprovalRequest)]
    losers = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(winners) == 1 and len(losers) == 2
    assert all(isinstance(e, Conflict) for e in losers)
    final = await world.service.get(request.id)
    assert len(final.decisions) == 1
    assert len(world.applied()) == (1 if final.status is ApprovalStatus.APPLIED else 0)


async def test_rule9_fifty_concurrent_approvals_apply_the_action_exactly_once() -> None:
    world = make_world()
    approvers = [
        world.directory.add(
            Principal(f"u-checker-{i}", f"c{i}@example.com", groups=frozenset({"risk-approvers"}))
        )
        for i in range(50)
    ]
    request = await world.submit("change")
    outcomes = await asyncio.gather(
        *(world.service.approve(request.id, Actor(p)) for p in approvers),
        return_exceptions=True,
    )
    assert world.applied() == [request.id]
    winners = [o for o in outcomes if isinstance(o, ApprovalRequest)]
    assert len(winners) == 1 and winners[0].status is ApprovalStatus.APPLIED
    assert all(isinstance(o, (ApprovalRequest, Conflict)) for o in outcomes)
    final = await world.service.get(request.id)
    assert final.status is ApprovalStatus.APPLIED and len(final.decisions) == 1
    actions = await world.actions(request.id)
    assert actions.count("approval.apply") == 1
    assert actions.count("approval.approve") == 1
    assert (await world.audit.verify()).ok


async def test_rule9_retries_are_bounded_then_conflict() -> None:
    world = make_world(max_attempts=3)
    request = await world.submit()
    refused: list[int] = []

    async def always_refused(batch: CommitBatch) -> None:
        refused.append(len(batch.steps))
        raise StepsRejected({0: StaleVersion("someone else saved first")})

    world.governance_store.write = always_refused  # type: ignore[method-assign]
    with pytest.raises(ConcurrentModification):
        await world.service.approve(request.id, Actor(BOB))
    assert refused == [1, 1, 1]
    assert world.applied() == []
    assert world.store.requests[request.id].status is ApprovalStatus.PENDING


async def test_rule9_manual_apply_runs_once_under_concurrency(world: ApprovalWorld) -> None:
    request = await world.submit("manual")
    await world.service.approve(request.id, Actor(BOB))
    outcomes = await asyncio.gather(
        *(world.service.apply(request.id, Actor(p)) for p in (BOB, CAROL, ERIN, BOB)),
        return_exceptions=True,
    )
    assert world.applied() == [request.id]
    assert sum(isinstance(o, ApprovalRequest) for o in outcomes) == 1
    assert all(isinstance(o, (ApprovalRequest, Conflict)) for o in outcomes)


async def test_rule10_every_transition_appends_an_audit_event(world: ApprovalWorld) -> None:
    applied = await world.submit("pair")
    await world.service.approve(applied.id, Actor(BOB), comment="fine", request_id="req-1")
    await world.service.approve(applied.id, Actor(APP, on_behalf_of=CAROL), request_id="req-2")
    rejected = await world.submit()
    await world.service.reject(rejected.id, Actor(BOB), comment="no", request_id="req-3")
    withdrawn = await world.submit()
    await world.service.withdraw(withdrawn.id, Actor(ALICE), reason="dup", request_id="req-4")
    expired = await world.submit()
    world.clock.advance(days=2)
    await world.service.expire_due(Actor(APP), request_id="req-5")

    assert await world.actions(applied.id) == [
        "approval.submit",
        "approval.approve",
        "approval.approve",
        "approval.apply",
    ]
    assert await world.actions(rejected.id) == ["approval.submit", "approval.reject"]
    assert await world.actions(withdrawn.id) == ["approval.submit", "approval.withdraw"]
    assert await world.actions(expired.id) == ["approval.submit", "approval.expire"]

    events = {(e.target, e.action, e.request_id): e for e in world.audit_store.rows}
    second = events[(f"approval:{applied.id}", "approval.approve", "req-2")]
    assert (second.actor, second.on_behalf_of) == (APP.id, CAROL.id)
    assert second.details["payload_hash"] == applied.payload_hash
    assert (second.details["from"], second.details["to"]) == ("PENDING", "APPROVED")
    reject = events[(f"approval:{rejected.id}", "approval.reject", "req-3")]
    assert reject.details["comment"] == "no" and reject.details["to"] == "REJECTED"
    apply = events[(f"approval:{applied.id}", "approval.apply", "req-2")]
    assert apply.details["to"] == "APPLIED"
    for event in world.audit_store.rows:
        assert event.details["payload_hash"]
        assert event.target.startswith("approval:")
    assert (await world.audit.verify()).ok


async def test_rule10_the_approval_the_action_and_their_events_commit_in_one_write(
    world: ApprovalWorld,
) -> None:
    request = await world.submit("change")
    writes = world.governance_store.writes
    applied = await world.service.approve(request.id, Actor(BOB), request_id="req-8")
    assert applied.status is ApprovalStatus.APPLIED
    assert world.governance_store.writes == writes + 1
    assert await world.actions(request.id) == [
        "approval.submit",
        "approval.approve",
        "approval.apply",
    ]
    assert applied.version == request.version + 1  # one step, one version


async def test_rule10_a_step_whose_commit_fails_leaves_no_trace(world: ApprovalWorld) -> None:
    request = await world.submit("change")
    world.governance_store.fail_next_write(action="approval.apply")
    with pytest.raises(Unavailable):
        await world.service.approve(request.id, Actor(BOB))
    stored = world.store.requests[request.id]
    assert stored.status is ApprovalStatus.PENDING and stored.decisions == ()
    assert await world.actions(request.id) == ["approval.submit"]
    again = await world.service.approve(request.id, Actor(BOB))
    assert again.status is ApprovalStatus.APPLIED
    assert world.applied() == [request.id]


async def test_rule10_a_submission_whose_commit_fails_is_not_stored(world: ApprovalWorld) -> None:
    world.governance_store.fail_next_write(action="approval.submit")
    with pytest.raises(Unavailable):
        await world.service.submit(Actor(ALICE), "change", "t", {"change": {}})
    assert world.store.requests == {}
    assert world.audit_store.rows == []
