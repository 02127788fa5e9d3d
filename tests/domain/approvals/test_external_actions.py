"""Actions outside the governance store: claimed under a lease, run with one token, settled once."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest

from appkit_domain.approvals import (
    Actor,
    ApplyContext,
    ApprovalRequest,
    ApprovalStatus,
    MakerCheckerPolicy,
    Workflow,
)
from appkit_domain.errors import Conflict, InvalidTransition, Unavailable
from tests.domain.approvals.world import APP, BOB, CAROL, CHECKERS, MAKERS, ApprovalWorld


class ExternalSystem:
    """Does each token's work once, as a jobs API with an idempotency token would."""

    def __init__(self) -> None:
        self.runs: dict[str, int] = {}
        self.calls: list[str] = []
        self.fail_with: Exception | None = None

    async def __call__(
        self, request: ApprovalRequest, context: ApplyContext, token: str
    ) -> Mapping[str, Any]:
        self.calls.append(token)
        if self.fail_with is not None:
            raise self.fail_with
        run_id = self.runs.setdefault(token, len(self.runs) + 1)
        return {"run_id": run_id}


@pytest.fixture
def external(world: ApprovalWorld) -> ExternalSystem:
    system = ExternalSystem()
    world.service.policies.register(
        MakerCheckerPolicy("run_job", MAKERS, CHECKERS, quorum=1, deadline=timedelta(days=1))
    )
    world.service.register(Workflow("run_job", execute=system))
    return system


async def test_an_approved_external_action_runs_once_and_its_outcome_is_audited(
    world: ApprovalWorld, external: ExternalSystem
) -> None:
    request = await world.submit("run_job", payload={"job_id": 7})
    applied = await world.service.approve(request.id, Actor(BOB))
    assert applied.status is ApprovalStatus.APPLIED and applied.claim is None
    assert applied.result == {"run_id": 1}
    assert len(external.calls) == 1 and len(external.runs) == 1
    (event,) = [e for e in world.audit_store.rows if e.action == "approval.apply"]
    assert event.details["result"] == {"run_id": 1}
    assert event.details["claim"] == external.calls[0]


async def test_an_action_that_cannot_answer_keeps_its_claim_until_the_lease_ends(
    world: ApprovalWorld, external: ExternalSystem
) -> None:
    request = await world.submit("run_job", payload={"job_id": 7})
    external.fail_with = Unavailable("jobs API down")
    with pytest.raises(Unavailable):
        await world.service.approve(request.id, Actor(BOB))
    claimed = await world.service.get(request.id)
    assert claimed.status is ApprovalStatus.APPROVED and claimed.claim is not None
    external.fail_with = None
    with pytest.raises(InvalidTransition, match="already being applied"):
        await world.service.apply(request.id, Actor(CAROL))
    world.clock.advance(world.service.claim_lease + timedelta(seconds=1))
    applied = await world.service.apply(request.id, Actor(CAROL))
    assert applied.status is ApprovalStatus.APPLIED
    assert external.calls == [claimed.claim.token, claimed.claim.token]  # the same token
    assert len(external.runs) == 1


async def test_the_recovery_sweep_settles_claims_whose_lease_ended(
    world: ApprovalWorld, external: ExternalSystem
) -> None:
    request = await world.submit("run_job", payload={"job_id": 7})
    external.fail_with = Unavailable("jobs API down")
    with pytest.raises(Unavailable):
        await world.service.approve(request.id, Actor(BOB))
    external.fail_with = None
    assert await world.service.recover_claims(Actor(APP)) == 0  # lease still running
    world.clock.advance(world.service.claim_lease)
    assert await world.service.recover_claims(Actor(APP)) == 1
    assert (await world.service.get(request.id)).status is ApprovalStatus.APPLIED
    assert len(external.runs) == 1
    assert await world.service.recover_claims(Actor(APP)) == 0


async def test_an_external_refusal_ends_the_request_apply_failed(
    world: ApprovalWorld, external: ExternalSystem
) -> None:
    request = await world.submit("run_job", payload={"job_id": 7})
    external.fail_with = Conflict("job 7 does not exist")
    failed = await world.service.approve(request.id, Actor(BOB))
    assert failed.status is ApprovalStatus.APPLY_FAILED
    assert failed.failure == "job 7 does not exist" and failed.claim is None


async def test_concurrent_applies_run_an_external_action_once(
    world: ApprovalWorld, external: ExternalSystem
) -> None:
    world.service.policies.register(
        MakerCheckerPolicy(
            "run_job", MAKERS, CHECKERS, quorum=1, auto_apply=False, appliers=CHECKERS
        ),
        replace=True,
    )
    request = await world.submit("run_job", payload={"job_id": 7})
    await world.service.approve(request.id, Actor(BOB))
    outcomes = await asyncio.gather(
        *(world.service.apply(request.id, Actor(p)) for p in (BOB, CAROL, BOB)),
        return_exceptions=True,
    )
    assert len(external.calls) == 1
    assert sum(isinstance(o, ApprovalRequest) for o in outcomes) == 1
    assert all(isinstance(o, (ApprovalRequest, Conflict)) for o in outcomes)
