"""``/api/overrides``: propose a metric override (maker) and read effective values."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from appkit_domain.approvals.actor import Actor
from appkit_domain.overrides import OverrideService
from appkit_web.deps import current_actor, provided, request_context, signed_in
from appkit_web.request_context import RequestContext
from appkit_web.routers.input_rules import utc_instant
from appkit_web.schemas.common import problem_responses
from appkit_web.schemas.overrides import EffectiveValueOut, OverrideIn, OverrideOut

router = APIRouter(prefix="/overrides", tags=["overrides"])
overrides = provided("overrides")
_ERRORS = problem_responses(400, 401, 403, 404, 409, 429, 503)


@router.post("", status_code=201, response_model=OverrideOut, responses=_ERRORS)
async def propose_override(
    body: OverrideIn,
    actor: Actor = Depends(current_actor),
    context: RequestContext = Depends(request_context),
    service: OverrideService = Depends(overrides),
) -> OverrideOut:
    """Propose a replacement value; it needs 1 approval, 2 when it moves the value by >10%."""
    proposal = await service.propose(
        actor,
        entity=body.entity,
        metric=body.metric,
        period=body.period,
        value=body.value,
        justification=body.justification,
        effective_from=utc_instant(body.effective_from, "effective_from"),
        effective_to=utc_instant(body.effective_to, "effective_to"),
        request_id=context.request_id,
    )
    return OverrideOut.of_proposal(proposal)


@router.get("/effective", response_model=EffectiveValueOut, responses=_ERRORS)
async def effective_value(
    entity: str = Query(..., min_length=1, max_length=200),
    metric: str = Query(..., min_length=1, max_length=200),
    period: str = Query(..., min_length=1, max_length=200),
    _: RequestContext = Depends(signed_in),
    service: OverrideService = Depends(overrides),
) -> EffectiveValueOut:
    """The value in force now: overridden or computed, by whom, under which approval."""
    return EffectiveValueOut.of(await service.effective_value(entity, metric, period))


@router.get("/{override_id}", response_model=OverrideOut, responses=_ERRORS)
async def get_override(
    override_id: str,
    _: RequestContext = Depends(signed_in),
    service: OverrideService = Depends(overrides),
) -> OverrideOut:
    override = await service.get(override_id)
    approval = await service.approvals.get(override.approval_id)
    return OverrideOut.of(override, approval.required_approvals)
