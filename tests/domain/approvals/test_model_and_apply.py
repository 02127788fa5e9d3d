"""States and transitions, appliers, queries and notifications."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from appkit_domain.approvals import (
    TRANSITIONS,
    Actor,
    ApprovalRequest,
    ApprovalStatus,
    NotEligible,
    Workflow,
)
from appkit_domain.errors import Conflict, InvalidInput, InvalidTransition, NotFound, Unavailable
from appkit_domain.unit_of_work import UnitOfWork
from tests.domain.approvals.world import ALICE, BOB, CAROL, DAVE, ApprovalWorld

AT = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def _request(status: ApprovalStatus) -> ApprovalRequest:
    return ApprovalRequest(
        id="apr-1",
        kind="change",
        target="t",
        payload={"a": 1},
        payload_hash="h",
        requested_by=ALICE.id,
        status=status,
        required_approvals=1,
        deadline=AT,
        created_at=AT,
        updated_at=AT,
    )


def test_transitions_are_exactly_the_documented_ones() -> None:
    allowed = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    S = ApprovalStatus
    assert allowed == {
        (S.PENDING, S.APPROVED),
        (S.PENDING, S.REJECTED),
        (S.PENDING, S.EXPIRED),
        (S.PENDING, S.WITHDRAWN),
        (S.APPROVED, S.APPLIED),
        (S.APPROVED, S.APPLY_FAILED),
    }


@pytest.mark.parametrize("source", list(ApprovalStatus))
@pytest.mark.parametrize("target", list(ApprovalStatus))
def test_any_other_transition_is_invalid(source: ApprovalStatus, target: ApprovalStatus) -> None:
    request = _request(source)
    if target in TRANSITIONS[source]:
        assert request.transition(target, AT).status is target
    else:
        with pytest.raises(InvalidTransition):
            request.transition(target, AT)


def test_terminal_states_take_no_decisions() -> None:
    for status in ApprovalStatus:
        if status.is_terminal:
            assert not TRANSITIONS[status]


async def test_applier_conflict_ends_apply_failed_with_its_reason(world: ApprovalWorld) -> None:
    world.applier.error = Conflict("the row changed since it was proposed")
    request = await world.submit()
    failed = await world.service.approve(request.id, Actor(BOB))
    assert failed.status is ApprovalStatus.APPLY_FAILED
    assert failed.failure == "the row changed since it was proposed"
    assert await world.actions(request.id) == [
        "approval.submit",
        "approval.approve",
        "approval.apply_failed",
    ]


async def test_unexpected_applier_error_fails_without_leaking_its_text(
    world: ApprovalWorld,
) -> None:
    secret = "dapi0123456789abcdef0123456789abcdef"
    world.applier.error = RuntimeError(f"connection with token {secret} refused")
    request = await world.submit()
    failed = await world.service.approve(request.id, Actor(BOB))
    assert failed.status is ApprovalStatus.APPLY_FAILED
    assert secret not in (failed.failure or "")
    assert "RuntimeError" in (failed.failure or "")
    assert all(secret not in str(dict(e.details)) for e in world.audit_store.rows)


async def test_an_action_that_cannot_answer_aborts_its_whole_step(
    world: ApprovalWorld,
) -> None:
    world.applier.error = Unavailable("warehouse unreachable")
    request = await world.submit()
    with pytest.raises(Unavailable):
        await world.service.approve(request.id, Actor(BOB))
    untouched = await world.service.get(request.id)
    assert untouched.status is ApprovalStatus.PENDING and untouched.decisions == ()
    assert await world.actions(request.id) == ["approval.submit"]
    world.applier.error = None
    applied = await world.service.approve(request.id, Actor(BOB))
    assert applied.status is ApprovalStatus.APPLIED
    assert world.applied() == [request.id]
    assert await world.actions(request.id) == [
        "approval.submit",
        "approval.approve",
        "approval.apply",
    ]


async def test_manual_apply_needs_an_eligible_applier(world: ApprovalWorld) -> None:
    request = await world.submit("manual")
    approved = await world.service.approve(request.id, Actor(BOB))
    assert approved.status is ApprovalStatus.APPROVED and world.applier.calls == []
    with pytest.raises(NotEligible):
        await world.service.apply(request.id, Actor(DAVE))
    applied = await world.service.apply(request.id, Actor(CAROL), request_id="req-apply")
    assert applied.status is ApprovalStatus.APPLIED and applied.applied_by == CAROL.id
    with pytest.raises(InvalidTransition):
        await world.service.apply(request.id, Actor(CAROL))
    assert world.applier.calls == [request.id]


async def test_apply_of_a_pending_request_is_refused(world: ApprovalWorld) -> None:
    request = await world.submit("manual")
    with pytest.raises(InvalidTransition):
        await world.service.apply(request.id, Actor(BOB))


async def test_a_kind_without_applier_stays_approved(world: ApprovalWorld) -> None:
    from appkit_domain.approvals import MakerCheckerPolicy
    from tests.domain.approvals.world import CHECKERS, MAKERS

    world.service.policies.register(MakerCheckerPolicy("plain", MAKERS, CHECKERS))
    request = await world.submit("plain")
    assert (await world.service.approve(request.id, Actor(BOB))).status is ApprovalStatus.APPROVED
    with pytest.raises(InvalidInput):
        await world.service.apply(request.id, Actor(BOB))


async def test_unknown_kind_and_unknown_id_are_not_found(world: ApprovalWorld) -> None:
    with pytest.raises(NotFound):
        await world.submit("no-such-kind")
    with pytest.raises(NotFound):
        await world.service.get("apr-missing")
    with pytest.raises(NotFound):
        await world.service.approve("apr-missing", Actor(BOB))


async def test_non_json_payload_is_invalid_input(world: ApprovalWorld) -> None:
    with pytest.raises(InvalidInput):
        await world.submit(payload={"when": object()})


async def test_list_filters_by_status_and_kind_and_pages(world: ApprovalWorld) -> None:
    made = []
    for i in range(5):
        world.clock.advance(seconds=1)
        made.append(await world.submit("pair" if i % 2 else "manual"))
    await world.service.reject(made[0].id, Actor(BOB))
    pending = await world.service.list(status=ApprovalStatus.PENDING)
    assert [r.id for r in pending.items] == [r.id for r in made[1:]]
    pairs = await world.service.list(kind="pair", status=ApprovalStatus.PENDING)
    assert [r.id for r in pairs.items] == [made[1].id, made[3].id]
    seen: list[str] = []
    token: str | None = None
    while True:
        page = await world.service.list(page_size=2, page_token=token)
        seen.extend(r.id for r in page.items)
        token = page.next_page_token
        if token is None:
            break
    assert seen == [r.id for r in made]
    with pytest.raises(InvalidInput):
        await world.service.list(page_token="garbage!")


async def test_deciders_are_notified_of_a_new_request_and_the_requester_of_the_outcome(
    world: ApprovalWorld,
) -> None:
    request = await world.submit()
    requested = world.notifier.sent[-1]
    assert requested.topic == "approval.requested"
    assert requested.to_groups == frozenset({"risk-approvers"})
    await world.service.approve(request.id, Actor(BOB))
    decided = world.notifier.sent[-1]
    assert decided.topic == "approval.decided"
    assert decided.to_principals == frozenset({ALICE.id})
    assert decided.details["status"] == "APPLIED"


async def test_a_lost_notification_does_not_undo_the_decision(world: ApprovalWorld) -> None:
    request = await world.submit()
    world.notifier.fail_with = Unavailable("mail relay down")
    done = await world.service.approve(request.id, Actor(BOB))
    assert done.status is ApprovalStatus.APPLIED
    assert "approval.notify_failed" in await world.actions(request.id)
    assert (await world.audit.verify()).ok


async def test_may_decide_reflects_the_rules(world: ApprovalWorld) -> None:
    request = await world.submit("pair")
    assert await world.service.may_decide(request, Actor(BOB))
    assert not await world.service.may_decide(request, Actor(ALICE))
    assert not await world.service.may_decide(request, Actor(DAVE))
    after = await world.service.approve(request.id, Actor(BOB))
    assert not await world.service.may_decide(after, Actor(BOB))
    assert await world.service.may_decide(after, Actor(CAROL))


async def test_request_as_json_is_plain_json(world: ApprovalWorld) -> None:
    import json

    request = await world.submit("pair")
    after = await world.service.approve(request.id, Actor(BOB), comment="ok")
    view = after.as_json()
    assert json.loads(json.dumps(view)) == view
    assert view["status"] == "PENDING" and view["approvals"] == 1
    assert view["decisions"][0]["decision"] == "APPROVE"
    assert view["payload"] == {"change": {"tier": "gold"}}


def test_a_principal_cannot_act_on_behalf_of_itself() -> None:
    with pytest.raises(InvalidInput):
        Actor(BOB, on_behalf_of=BOB)


async def test_a_workflow_follower_hears_every_move_in_the_step_that_makes_it(
    world: ApprovalWorld,
) -> None:
    heard: list[tuple[str, ApprovalStatus, int]] = []

    async def follow(uow: UnitOfWork, request: ApprovalRequest) -> None:
        heard.append((request.id, request.status, len(uow.events)))

    world.service.register(Workflow("change", apply=world.applier, follow=follow), replace=True)
    applied = await world.submit()
    await world.service.approve(applied.id, Actor(BOB))
    rejected = await world.submit()
    await world.service.reject(rejected.id, Actor(BOB))
    withdrawn = await world.submit()
    await world.service.withdraw(withdrawn.id, Actor(ALICE))
    expired = await world.submit()
    world.clock.advance(days=2)
    await world.service.expire_due(Actor(BOB))
    # APPLIED is recorded by the action itself; every other move is followed, with the
    # move's own audit event already staged in the same unit of work.
    assert heard == [
        (rejected.id, ApprovalStatus.REJECTED, 1),
        (withdrawn.id, ApprovalStatus.WITHDRAWN, 1),
        (expired.id, ApprovalStatus.EXPIRED, 1),
    ]


async def test_a_failing_follower_aborts_the_step_and_nothing_is_committed(
    world: ApprovalWorld,
) -> None:
    async def follow(uow: UnitOfWork, request: ApprovalRequest) -> None:
        raise RuntimeError("follower broke")

    world.service.register(Workflow("change", apply=world.applier, follow=follow), replace=True)
    request = await world.submit()
    with pytest.raises(RuntimeError):
        await world.service.reject(request.id, Actor(BOB))
    assert (await world.service.get(request.id)).status is ApprovalStatus.PENDING
    assert await world.actions(request.id) == ["approval.submit"]
