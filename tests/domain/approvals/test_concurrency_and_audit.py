"""Rules 9 (versioned saves, bounded retries, at-most-once apply) and 10 (audit)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from appkit_domain.approvals import (
    Actor,
    ApplyContext,
    ApprovalRequest,
    ApprovalStatus,
    CompanionEvent,
    ConcurrentModification,
)
from appkit_domain.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    StaleVersion,
    Unavailable,
)
from appkit_domain.principal import Principal
from appkit_testing.fakes import InMemoryApprovalStore
from tests.domain.approvals.world import ALICE, APP, BOB, CAROL, ERIN, ApprovalWorld, make_world


async def test_rule9_racing_decisions_are_retried_on_fresh_state(world: ApprovalWorld) -> None:
    request = await world.submit("pair")
    results = await asyncio.gather(
        world.service.approve(request.id, Actor(BOB)),
        world.service.approve(request.id, Actor(CAROL)),
    )
    assert world.store.stale_saves >= 1
    final = await world.service.get(request.id)
    assert final.status is ApprovalStatus.APPLIED
    assert sorted(final.approvers) == [BOB.id, CAROL.id]
    assert world.applier.calls == [request.id]
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
    assert len(world.applier.calls) == (1 if final.status is ApprovalStatus.APPLIED else 0)


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
    assert len(world.applier.calls) == 1
    winners = [o for o in outcomes if isinstance(o, ApprovalRequest)]
    assert len(winners) == 1 and winners[0].status is ApprovalStatus.APPLIED
    assert all(isinstance(o, (ApprovalRequest, Conflict)) for o in outcomes)
    final = await world.service.get(request.id)
    assert final.status is ApprovalStatus.APPLIED and len(final.decisions) == 1
    actions = await world.actions(request.id)
    assert actions.count("approval.apply") == 1
    assert actions.count("approval.approve") == 1
    assert (await world.audit.verify()).ok


class AlwaysStaleStore(InMemoryApprovalStore):
    """Another writer always wins: every save is stale."""

    def __init__(self) -> None:
        super().__init__()
        self.save_attempts = 0

    async def save(self, request: ApprovalRequest, *, expected_version: int) -> None:
        self.save_attempts += 1
        raise StaleVersion("someone else saved first")


async def test_rule9_retries_are_bounded_then_conflict() -> None:
    stale = AlwaysStaleStore()
    world = make_world(max_attempts=3, store=stale)
    request = await world.submit()
    with pytest.raises(ConcurrentModification):
        await world.service.approve(request.id, Actor(BOB))
    assert stale.save_attempts == 3
    assert world.applier.calls == []


async def test_rule9_manual_apply_runs_once_under_concurrency(world: ApprovalWorld) -> None:
    request = await world.submit("manual")
    await world.service.approve(request.id, Actor(BOB))
    outcomes = await asyncio.gather(
        *(world.service.apply(request.id, Actor(p)) for p in (BOB, CAROL, ERIN, BOB)),
        return_exceptions=True,
    )
    assert len(world.applier.calls) == 1
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


class ReadCountingStore(InMemoryApprovalStore):
    """Counts reads, so a test can tell which commands read the request again."""

    def __init__(self) -> None:
        super().__init__()
        self.gets = 0

    async def get(self, approval_id: str) -> ApprovalRequest:
        self.gets += 1
        return await super().get(approval_id)


async def test_rule9_the_outcome_of_an_apply_is_saved_from_the_claim_without_reading_again() -> (
    None
):
    store = ReadCountingStore()
    world = make_world(store=store)
    request = await world.submit("manual")
    await world.service.approve(request.id, Actor(BOB))
    store.gets = 0
    applied = await world.service.apply(request.id, Actor(CAROL))
    assert applied.status is ApprovalStatus.APPLIED
    assert store.gets == 1  # the claim's read; the outcome is saved from the claimed state
    assert store.requests[request.id] == applied
    assert applied.version == request.version + 3  # approve, claim, outcome


async def test_rule9_a_request_changed_while_its_action_ran_is_not_settled_over_that_change(
    world: ApprovalWorld,
) -> None:
    request = await world.submit("manual")
    await world.service.approve(request.id, Actor(BOB))

    async def released_meanwhile(claimed: ApprovalRequest, context: ApplyContext) -> dict[str, str]:
        # Another writer saves a new version while the action runs: the outcome save,
        # though it starts from the claimed state, is version-checked and must not land.
        stored = world.store.requests[claimed.id]
        await world.store.save(
            replace(stored.released_for_apply(), version=stored.version + 1),
            expected_version=stored.version,
        )
        return {"done": "yes"}

    world.service.appliers.register("manual", released_meanwhile, replace=True)
    with pytest.raises(InvalidTransition, match="changed while its action ran"):
        await world.service.apply(request.id, Actor(CAROL))
    stored = world.store.requests[request.id]
    assert stored.status is ApprovalStatus.APPROVED and not stored.apply_claimed
    assert "approval.apply" not in await world.actions(request.id)


async def test_rule10_a_submission_and_its_companion_events_are_durable_in_one_audit_write(
    world: ApprovalWorld,
) -> None:
    world.audit_store.append_calls = 0
    record = CompanionEvent(
        actor=ALICE.id, action="record.propose", target="record:1", details={"n": 1}
    )
    request = await world.service.submit(
        Actor(ALICE),
        "change",
        "demo.crm.customers:42",
        {"change": {"tier": "gold"}},
        request_id="req-7",
        companions=[record],
    )
    assert world.audit_store.append_calls == 1
    submitted, companion = world.audit_store.rows
    assert (submitted.action, submitted.target) == ("approval.submit", f"approval:{request.id}")
    assert (companion.action, companion.target, companion.actor) == (
        "record.propose",
        "record:1",
        ALICE.id,
    )
    assert companion.request_id == "req-7" and companion.details == {"n": 1}
    assert (await world.audit.verify()).ok


async def test_rule10_a_submission_whose_audit_write_fails_is_not_acknowledged(
    world: ApprovalWorld,
) -> None:
    world.audit_store.fail_next_append(action="record.propose")
    record = CompanionEvent(actor=ALICE.id, action="record.propose", target="record:1")
    with pytest.raises(Unavailable):
        await world.service.submit(Actor(ALICE), "change", "t", {"change": {}}, companions=[record])
    assert world.audit_store.rows == []
    assert {e.action for e in world.audit_store.failed} == {"approval.submit", "record.propose"}


def test_a_companion_event_needs_an_actor_an_action_and_a_target() -> None:
    with pytest.raises(InvalidInput, match="action"):
        CompanionEvent(actor=ALICE.id, action="", target="record:1")
