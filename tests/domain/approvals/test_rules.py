"""Approval rules 1-8 of governance.md, each checked by name."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from appkit_domain.approvals import (
    Actor,
    AlreadyDecided,
    ApprovalStatus,
    MakerCheckerPolicy,
    NotEligible,
    PayloadMismatch,
    RequestExpired,
    SelfApproval,
    Verdict,
    materiality_quorum,
    payload_hash,
)
from appkit_domain.errors import InvalidTransition, PermissionDenied
from tests.domain.approvals.world import (
    ALICE,
    APP,
    BOB,
    CAROL,
    CHECKERS,
    DAVE,
    ERIN,
    MAKERS,
    ApprovalWorld,
)

# ---------------------------------------------------------------- rule 1


async def test_rule1_requester_cannot_approve_own_request(world: ApprovalWorld) -> None:
    world.directory.set_groups(ALICE.id, {"data-stewards", "risk-approvers"})
    request = await world.submit()
    with pytest.raises(SelfApproval):
        await world.service.approve(request.id, Actor(ALICE))
    stored = await world.service.get(request.id)
    assert stored.status is ApprovalStatus.PENDING and stored.decisions == ()
    assert world.applier.calls == []


async def test_rule1_requester_cannot_reject_own_request(world: ApprovalWorld) -> None:
    world.directory.set_groups(ALICE.id, {"data-stewards", "risk-approvers"})
    request = await world.submit()
    with pytest.raises(SelfApproval):
        await world.service.reject(request.id, Actor(ALICE))
    assert (await world.service.get(request.id)).status is ApprovalStatus.PENDING


async def test_rule1_service_principal_on_behalf_of_requester_is_requester(
    world: ApprovalWorld,
) -> None:
    world.directory.set_groups(ALICE.id, {"data-stewards", "risk-approvers"})
    world.directory.set_groups(APP.id, {"risk-approvers"})
    request = await world.submit()
    with pytest.raises(SelfApproval):
        await world.service.approve(request.id, Actor(APP, on_behalf_of=ALICE))
    assert (await world.service.get(request.id)).decisions == ()


async def test_rule1_submitting_service_principal_and_its_principal_are_both_makers(
    world: ApprovalWorld,
) -> None:
    world.directory.set_groups(ALICE.id, {"data-stewards", "risk-approvers"})
    world.directory.set_groups(APP.id, {"risk-approvers"})
    request = await world.submit(actor=Actor(APP, on_behalf_of=ALICE))
    assert (request.requested_by, request.on_behalf_of, request.requester) == (
        APP.id,
        ALICE.id,
        ALICE.id,
    )
    with pytest.raises(SelfApproval):
        await world.service.approve(request.id, Actor(ALICE))
    with pytest.raises(SelfApproval):
        await world.service.approve(request.id, Actor(APP))


async def test_rule1_service_principal_acting_for_another_checker_may_decide(
    world: ApprovalWorld,
) -> None:
    request = await world.submit()
    done = await world.service.approve(request.id, Actor(APP, on_behalf_of=BOB))
    assert done.status is ApprovalStatus.APPLIED
    assert done.decisions[0].principal_id == APP.id
    assert done.decisions[0].party == BOB.id


async def test_rule1_requester_cannot_approve_own_request_by_acting_for_someone_else(
    world: ApprovalWorld,
) -> None:
    request = await world.submit()
    with pytest.raises(SelfApproval):
        await world.service.approve(request.id, Actor(ALICE, on_behalf_of=BOB))
    assert (await world.service.get(request.id)).decisions == ()


# ---------------------------------------------------------------- rule 2


async def test_rule2_principal_decides_at_most_once(world: ApprovalWorld) -> None:
    request = await world.submit("pair")
    await world.service.approve(request.id, Actor(BOB))
    with pytest.raises(AlreadyDecided):
        await world.service.approve(request.id, Actor(BOB))
    with pytest.raises(AlreadyDecided):
        await world.service.reject(request.id, Actor(BOB))
    with pytest.raises(AlreadyDecided):
        await world.service.approve(request.id, Actor(APP, on_behalf_of=BOB))
    stored = await world.service.get(request.id)
    assert stored.status is ApprovalStatus.PENDING
    assert [d.party for d in stored.decisions] == [BOB.id]


async def test_rule2_a_checker_cannot_decide_twice_by_acting_for_someone_else(
    world: ApprovalWorld,
) -> None:
    request = await world.submit("pair")
    await world.service.approve(request.id, Actor(BOB))
    with pytest.raises(AlreadyDecided):
        await world.service.approve(request.id, Actor(BOB, on_behalf_of=CAROL))
    stored = await world.service.get(request.id)
    assert stored.status is ApprovalStatus.PENDING
    assert [d.party for d in stored.decisions] == [BOB.id]


# ---------------------------------------------------------------- rule 3


async def test_rule3_only_eligible_principals_decide(world: ApprovalWorld) -> None:
    request = await world.submit()
    with pytest.raises(NotEligible):
        await world.service.approve(request.id, Actor(DAVE))
    with pytest.raises(NotEligible):
        await world.service.reject(request.id, Actor(DAVE))
    assert (await world.service.get(request.id)).decisions == ()


async def test_rule3_eligibility_is_evaluated_at_decision_time(world: ApprovalWorld) -> None:
    request = await world.submit("pair")
    # Bob leaves the approvers after submission; his stale principal still lists the group.
    world.directory.set_groups(BOB.id, set())
    with pytest.raises(NotEligible):
        await world.service.approve(request.id, Actor(BOB))
    world.directory.set_groups(DAVE.id, {"risk-approvers"})
    after = await world.service.approve(request.id, Actor(DAVE))
    assert [d.party for d in after.approvals] == [DAVE.id]


async def test_rule3_a_service_principal_is_judged_by_whom_it_acts_for(
    world: ApprovalWorld,
) -> None:
    world.directory.set_groups(APP.id, {"risk-approvers"})
    request = await world.submit()
    with pytest.raises(NotEligible):
        await world.service.approve(request.id, Actor(APP, on_behalf_of=DAVE))


async def test_only_eligible_principals_propose(world: ApprovalWorld) -> None:
    with pytest.raises(NotEligible):
        await world.submit(actor=Actor(DAVE))
    assert world.store.requests == {}


# ---------------------------------------------------------------- rule 4


async def test_rule4_quorum_needs_n_distinct_approvals(world: ApprovalWorld) -> None:
    request = await world.submit("pair")
    assert request.required_approvals == 2
    first = await world.service.approve(request.id, Actor(BOB))
    assert first.status is ApprovalStatus.PENDING
    assert world.applier.calls == []
    second = await world.service.approve(request.id, Actor(CAROL))
    assert second.status is ApprovalStatus.APPLIED
    assert second.approvers == (BOB.id, CAROL.id)
    assert world.applier.calls == [request.id]


async def test_rule4_quorum_may_depend_on_the_payload(world: ApprovalWorld) -> None:
    world.service.policies.register(
        MakerCheckerPolicy("material", MAKERS, CHECKERS, quorum=materiality_quorum())
    )
    small = await world.submit("material", {"value": "105", "computed_value": "100"})
    large = await world.submit("material", {"value": "111", "computed_value": "100"})
    assert (small.required_approvals, large.required_approvals) == (1, 2)
    assert (await world.service.approve(small.id, Actor(BOB))).status is ApprovalStatus.APPROVED
    assert (await world.service.approve(large.id, Actor(BOB))).status is ApprovalStatus.PENDING
    assert (await world.service.approve(large.id, Actor(CAROL))).status is ApprovalStatus.APPROVED


# ---------------------------------------------------------------- rule 5


async def test_rule5_one_rejection_ends_the_request_rejected(world: ApprovalWorld) -> None:
    request = await world.submit("pair")
    await world.service.approve(request.id, Actor(BOB))
    rejected = await world.service.reject(request.id, Actor(CAROL), comment="numbers off")
    assert rejected.status is ApprovalStatus.REJECTED
    with pytest.raises(InvalidTransition):
        await world.service.approve(request.id, Actor(ERIN))
    assert world.applier.calls == []


async def test_rule5_without_veto_rejections_must_reach_the_quorum(world: ApprovalWorld) -> None:
    request = await world.submit("lenient")
    once = await world.service.reject(request.id, Actor(BOB))
    assert once.status is ApprovalStatus.PENDING
    twice = await world.service.reject(request.id, Actor(CAROL))
    assert twice.status is ApprovalStatus.REJECTED


# ---------------------------------------------------------------- rule 6


async def test_rule6_deciding_an_expired_request_fails_and_expires_it(
    world: ApprovalWorld,
) -> None:
    request = await world.submit()
    world.clock.advance(days=1)
    with pytest.raises(RequestExpired):
        await world.service.approve(request.id, Actor(BOB))
    stored = await world.service.get(request.id)
    assert stored.status is ApprovalStatus.EXPIRED
    assert stored.decisions == ()
    assert await world.actions(request.id) == ["approval.submit", "approval.expire"]
    with pytest.raises(RequestExpired):
        await world.service.approve(request.id, Actor(CAROL))
    assert world.applier.calls == []


async def test_rule6_a_decision_before_the_deadline_counts(world: ApprovalWorld) -> None:
    request = await world.submit()
    world.clock.advance(timedelta(days=1) - timedelta(microseconds=1))
    assert (await world.service.approve(request.id, Actor(BOB))).status is ApprovalStatus.APPLIED


async def test_rule6_expire_due_sweeps_only_overdue_requests(world: ApprovalWorld) -> None:
    old = await world.submit()
    world.clock.advance(hours=12)
    young = await world.submit()
    world.clock.advance(hours=12)
    swept = await world.service.expire_due(Actor(APP))
    assert [r.id for r in swept] == [old.id]
    assert (await world.service.get(old.id)).status is ApprovalStatus.EXPIRED
    assert (await world.service.get(young.id)).status is ApprovalStatus.PENDING
    assert await world.service.expire_due(Actor(APP)) == []


# ---------------------------------------------------------------- rule 7


async def test_rule7_each_decision_records_the_payload_hash_it_saw(world: ApprovalWorld) -> None:
    request = await world.submit("pair")
    after = await world.service.approve(request.id, Actor(BOB), seen_hash=request.payload_hash)
    assert after.decisions[0].payload_hash == request.payload_hash
    assert request.payload_hash == payload_hash({"change": {"tier": "gold"}})


async def test_rule7_deciding_on_another_payload_hash_is_refused(world: ApprovalWorld) -> None:
    request = await world.submit()
    other = payload_hash({"change": {"tier": "platinum"}})
    with pytest.raises(PayloadMismatch):
        await world.service.approve(request.id, Actor(BOB), seen_hash=other)
    assert (await world.service.get(request.id)).decisions == ()


async def test_rule7_payload_cannot_be_changed_after_submission(world: ApprovalWorld) -> None:
    payload = {"change": {"tier": "gold"}}
    request = await world.submit(payload=payload)
    payload["change"]["tier"] = "platinum"
    assert request.payload["change"]["tier"] == "gold"
    with pytest.raises(TypeError):
        request.payload["change"]["tier"] = "platinum"


async def test_rule7_apply_refuses_a_payload_other_than_the_approved_one(
    world: ApprovalWorld,
) -> None:
    request = await world.submit("manual")
    approved = await world.service.approve(request.id, Actor(BOB))
    assert approved.status is ApprovalStatus.APPROVED
    # Someone edits the stored payload behind the service's back.
    world.store.requests[request.id] = replace(approved, payload={"change": {"tier": "platinum"}})
    failed = await world.service.apply(request.id, Actor(CAROL))
    assert failed.status is ApprovalStatus.APPLY_FAILED
    assert "hash" in (failed.failure or "")
    assert world.applier.calls == []


# ---------------------------------------------------------------- rule 8


async def test_rule8_requester_withdraws_a_pending_request(world: ApprovalWorld) -> None:
    request = await world.submit()
    withdrawn = await world.service.withdraw(request.id, Actor(ALICE), reason="typo")
    assert withdrawn.status is ApprovalStatus.WITHDRAWN
    assert withdrawn.reason == "typo"
    with pytest.raises(InvalidTransition):
        await world.service.approve(request.id, Actor(BOB))


async def test_rule8_only_the_requester_withdraws(world: ApprovalWorld) -> None:
    request = await world.submit()
    for other in (BOB, DAVE, APP):
        with pytest.raises(PermissionDenied):
            await world.service.withdraw(request.id, Actor(other))
    assert (await world.service.get(request.id)).status is ApprovalStatus.PENDING


async def test_rule8_withdrawal_only_while_pending(world: ApprovalWorld) -> None:
    request = await world.submit("manual")
    await world.service.decide(request.id, Actor(BOB), Verdict.APPROVE)
    with pytest.raises(InvalidTransition):
        await world.service.withdraw(request.id, Actor(ALICE))
    assert (await world.service.get(request.id)).status is ApprovalStatus.APPROVED
