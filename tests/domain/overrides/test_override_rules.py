"""The metric override rules of governance.md, each checked by name."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from appkit_domain.approvals import Actor, ApprovalStatus, NotEligible, SelfApproval
from appkit_domain.errors import InvalidInput, NotFound, Unavailable
from appkit_domain.overrides import OVERRIDE_KIND, OverrideProposal, OverrideStatus
from appkit_domain.overrides.model import MetricOverride
from tests.domain.approvals.world import ALICE, BOB, CAROL, DAVE, ApprovingNotifier
from tests.domain.overrides.world import OverrideWorld, make_override_world


async def _propose(ow: OverrideWorld, value: str = "105", **kwargs: object) -> OverrideProposal:
    fields: dict[str, object] = {
        "entity": "acme",
        "metric": "pd",
        "period": "2026-Q1",
        "value": value,
        "justification": "rating agency downgrade not yet in the feed",
    }
    fields.update(kwargs)
    return await ow.service.propose(Actor(ALICE), **fields)  # type: ignore[arg-type]


async def test_override_proposal_creates_an_approval_request(ow: OverrideWorld) -> None:
    proposal = await _propose(ow)
    approval = await ow.approvals.service.get(proposal.approval.id)
    assert approval.kind == OVERRIDE_KIND
    assert approval.status is ApprovalStatus.PENDING
    assert approval.target == "metric:acme/pd/2026-Q1"
    assert approval.payload["override_id"] == proposal.override.id
    assert approval.payload["value"] == "105"
    assert approval.payload["computed_value"] == "100"
    assert proposal.override.status is OverrideStatus.PENDING
    assert proposal.override.approval_id == approval.id


async def test_override_quorum_is_one_when_the_move_is_within_ten_percent(
    ow: OverrideWorld,
) -> None:
    assert (await _propose(ow, "110")).required_approvals == 1
    assert (await _propose(ow, "90")).required_approvals == 1


async def test_override_quorum_is_two_when_the_move_exceeds_ten_percent(
    ow: OverrideWorld,
) -> None:
    assert (await _propose(ow, "110.01")).required_approvals == 2
    assert (await _propose(ow, "89.99")).required_approvals == 2
    proposal = await _propose(ow, "150")
    once = await ow.approvals.service.approve(proposal.approval.id, Actor(BOB))
    assert once.status is ApprovalStatus.PENDING
    twice = await ow.approvals.service.approve(proposal.approval.id, Actor(CAROL))
    assert twice.status is ApprovalStatus.APPLIED


async def test_override_of_a_metric_without_computed_value_is_material(ow: OverrideWorld) -> None:
    proposal = await _propose(ow, "5", entity="newco")
    assert proposal.required_approvals == 2


async def test_unapproved_override_is_not_effective(ow: OverrideWorld) -> None:
    await _propose(ow, "105")
    effective = await ow.service.effective_value("acme", "pd", "2026-Q1")
    assert (effective.value, effective.overridden) == (Decimal("100"), False)


async def test_rejected_override_never_becomes_effective(ow: OverrideWorld) -> None:
    proposal = await _propose(ow, "105")
    await ow.approvals.service.reject(proposal.approval.id, Actor(BOB), comment="no evidence")
    effective = await ow.service.effective_value("acme", "pd", "2026-Q1")
    assert not effective.overridden
    assert (await ow.service.get(proposal.override.id)).status is OverrideStatus.PENDING


async def test_applied_override_is_effective_within_its_window(ow: OverrideWorld) -> None:
    now = ow.approvals.clock.now()
    proposal = await _propose(ow, "105", effective_to=now + timedelta(days=30))
    await ow.approvals.service.approve(proposal.approval.id, Actor(BOB))
    effective = await ow.service.effective_value("acme", "pd", "2026-Q1")
    assert effective.overridden
    assert effective.value == Decimal("105")
    assert effective.computed_value == Decimal("100")


async def test_outside_its_window_the_computed_value_is_effective(ow: OverrideWorld) -> None:
    now = ow.approvals.clock.now()
    proposal = await _propose(
        ow,
        "105",
        effective_from=now + timedelta(days=2),
        effective_to=now + timedelta(days=10),
    )
    await ow.approvals.service.approve(proposal.approval.id, Actor(BOB))
    assert not (await ow.service.effective_value("acme", "pd", "2026-Q1")).overridden
    ow.approvals.clock.advance(days=2)
    assert (await ow.service.effective_value("acme", "pd", "2026-Q1")).value == Decimal("105")
    ow.approvals.clock.advance(days=8)
    after = await ow.service.effective_value("acme", "pd", "2026-Q1")
    assert (after.value, after.overridden) == (Decimal("100"), False)


async def test_newer_applied_override_supersedes_the_older_and_history_is_kept(
    ow: OverrideWorld,
) -> None:
    first = await _propose(ow, "104")
    await ow.approvals.service.approve(first.approval.id, Actor(BOB))
    ow.approvals.clock.advance(hours=1)
    second = await _propose(ow, "107")
    done = await ow.approvals.service.approve(second.approval.id, Actor(CAROL))
    assert done.result is not None and list(done.result["superseded"]) == [first.override.id]
    effective = await ow.service.effective_value("acme", "pd", "2026-Q1")
    assert (effective.value, effective.override_id) == (Decimal("107"), second.override.id)
    older = await ow.service.get(first.override.id)
    assert older.status is OverrideStatus.SUPERSEDED
    assert older.superseded_by == second.override.id
    history = await ow.service.history("acme", "pd", "2026-Q1")
    assert [e.override.id for e in history.items] == [first.override.id, second.override.id]
    assert [e.override.status for e in history.items] == [
        OverrideStatus.SUPERSEDED,
        OverrideStatus.ACTIVE,
    ]
    assert all(
        e.approval is not None and e.approval.status is ApprovalStatus.APPLIED
        for e in history.items
    )


async def test_effective_value_says_by_whom_and_which_approval(ow: OverrideWorld) -> None:
    proposal = await _propose(ow, "103")
    await ow.approvals.service.approve(proposal.approval.id, Actor(BOB))
    effective = await ow.service.effective_value("acme", "pd", "2026-Q1")
    assert effective.overridden_by == ALICE.id
    assert effective.approved_by == (BOB.id,)
    assert effective.approval_id == proposal.approval.id
    assert effective.override_id == proposal.override.id


async def test_override_applies_exactly_the_approved_value(ow: OverrideWorld) -> None:
    proposal = await _propose(ow, "103")
    stored = ow.store.overrides[proposal.override.id]
    ow.store.overrides[stored.id] = replace(stored, value=Decimal("250"))
    done = await ow.approvals.service.approve(proposal.approval.id, Actor(BOB))
    assert done.status is ApprovalStatus.APPLY_FAILED
    assert "differs from the approved payload" in (done.failure or "")
    assert not (await ow.service.effective_value("acme", "pd", "2026-Q1")).overridden


async def test_maker_cannot_approve_own_override(ow: OverrideWorld) -> None:
    ow.approvals.directory.set_groups(ALICE.id, {"data-stewards", "risk-approvers"})
    proposal = await _propose(ow, "103")
    with pytest.raises(SelfApproval):
        await ow.approvals.service.approve(proposal.approval.id, Actor(ALICE))


async def test_override_proposal_checks_its_input(ow: OverrideWorld) -> None:
    now = ow.approvals.clock.now()
    with pytest.raises(InvalidInput):
        await _propose(ow, "abc")
    with pytest.raises(InvalidInput):
        await _propose(ow, "NaN")
    with pytest.raises(InvalidInput):
        await _propose(ow, "101", justification="  ")
    with pytest.raises(InvalidInput):
        await _propose(ow, "101", effective_to=now - timedelta(days=1))
    with pytest.raises(InvalidInput):
        await _propose(ow, "101", entity="")
    with pytest.raises(NotEligible):
        await ow.service.propose(
            Actor(DAVE),
            entity="acme",
            metric="pd",
            period="2026-Q1",
            value="101",
            justification="x",
        )
    assert ow.store.overrides == {}


async def test_effective_value_of_an_unknown_metric_is_not_found(ow: OverrideWorld) -> None:
    with pytest.raises(NotFound):
        await ow.service.effective_value("nobody", "pd", "2026-Q1")


async def test_effective_value_and_override_as_json_are_plain_json(ow: OverrideWorld) -> None:
    import json

    proposal = await _propose(ow, "103.25")
    await ow.approvals.service.approve(proposal.approval.id, Actor(BOB))
    effective = (await ow.service.effective_value("acme", "pd", "2026-Q1")).as_json()
    assert json.loads(json.dumps(effective)) == effective
    assert effective["value"] == "103.25" and effective["overridden"] is True
    assert effective["overridden_by"] == ALICE.id
    assert effective["approval_id"] == proposal.approval.id
    record = (await ow.service.get(proposal.override.id)).as_json()
    assert json.loads(json.dumps(record)) == record
    assert record["status"] == "ACTIVE" and record["approved_by"] == [BOB.id]


async def test_racing_override_applies_keep_exactly_one_effective_value(
    ow: OverrideWorld,
) -> None:
    import asyncio

    proposals = [await _propose(ow, str(101 + i)) for i in range(4)]
    outcomes = await asyncio.gather(
        *(
            ow.approvals.service.approve(p.approval.id, Actor(checker))
            for p, checker in zip(proposals, (BOB, CAROL, BOB, CAROL))
        )
    )
    assert all(o.status is ApprovalStatus.APPLIED for o in outcomes)
    active = await ow.store.active(proposals[0].override.key)
    newest = max(active, key=lambda o: (o.applied_at, o.id))
    effective = await ow.service.effective_value("acme", "pd", "2026-Q1")
    assert effective.override_id == newest.id
    statuses = [ow.store.overrides[p.override.id].status for p in proposals]
    assert statuses.count(OverrideStatus.ACTIVE) >= 1
    assert all(s is not OverrideStatus.PENDING for s in statuses)


async def test_an_approval_given_at_once_finds_the_override_it_activates() -> None:
    notifier = ApprovingNotifier(BOB)
    ow = make_override_world(notifier=notifier)
    notifier.service = ow.approvals.service
    proposal = await ow.service.propose(
        Actor(ALICE),
        entity="acme",
        metric="pd",
        period="2026-Q1",
        value="105",
        justification="approved before propose returns",
    )
    approval = await ow.approvals.service.get(proposal.approval.id)
    assert approval.status is ApprovalStatus.APPLIED
    override = await ow.service.get(proposal.override.id)
    assert override.status is OverrideStatus.ACTIVE
    assert override.approval_id == approval.id
    effective = await ow.service.effective_value("acme", "pd", "2026-Q1")
    assert effective.overridden and effective.value == Decimal("105")


async def test_an_override_apply_that_cannot_read_its_key_commits_nothing(
    ow: OverrideWorld,
) -> None:
    first = await _propose(ow, "104")
    await ow.approvals.service.approve(first.approval.id, Actor(BOB))
    ow.approvals.clock.advance(hours=1)
    second = await _propose(ow, "107")
    store = ow.approvals.governance.store
    find = store.find

    async def unreachable_once(*args: object, **kwargs: object) -> list[MetricOverride]:
        store.find = find  # type: ignore[method-assign]
        raise Unavailable("override store unreachable")

    store.find = unreachable_once  # type: ignore[method-assign]
    with pytest.raises(Unavailable):
        await ow.approvals.service.approve(second.approval.id, Actor(CAROL))
    assert (await ow.service.get(second.override.id)).status is OverrideStatus.PENDING
    approval = await ow.approvals.service.get(second.approval.id)
    assert approval.status is ApprovalStatus.PENDING and approval.decisions == ()
    done = await ow.approvals.service.approve(second.approval.id, Actor(CAROL))
    assert done.status is ApprovalStatus.APPLIED
    assert done.result is not None and list(done.result["superseded"]) == [first.override.id]
    assert (await ow.service.get(first.override.id)).status is OverrideStatus.SUPERSEDED
