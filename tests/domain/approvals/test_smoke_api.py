from __future__ import annotations

from appkit_domain.approvals import Actor, ApprovalStatus, payload_hash
from tests.domain.approvals.world import ALICE, BOB, ApprovalWorld


async def test_submit_approve_apply_round_trip(world: ApprovalWorld) -> None:
    request = await world.submit()
    assert request.status is ApprovalStatus.PENDING
    assert request.payload_hash == payload_hash({"change": {"tier": "gold"}})
    done = await world.service.approve(request.id, Actor(BOB), comment="ok")
    assert done.status is ApprovalStatus.APPLIED
    assert dict(done.result or {}) == {"applied": {"tier": "gold"}, "by": BOB.id}
    assert world.applier.calls == [request.id]
    assert await world.actions(request.id) == [
        "approval.submit",
        "approval.approve",
        "approval.apply",
    ]
    assert (await world.audit.verify()).ok
    assert world.notifier.sent[-1].to_principals == frozenset({ALICE.id})
