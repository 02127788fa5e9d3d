"""``/api/approvals``: list, read, approve, reject, withdraw, apply.

Object-level checks happen in the approval service on every id: only an
eligible checker who is not a maker may decide, only the requester may
withdraw. Governance fields are never taken from the client.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol

from fastapi import APIRouter, Depends, Query

from appkit_domain.approvals import ApprovalRequest, ApprovalService, ApprovalStatus
from appkit_domain.approvals.actor import Actor
from appkit_domain.errors import Conflict
from appkit_domain.pagination import MAX_PAGE_SIZE
from appkit_domain.ports.permissions import PermissionChecker
from appkit_domain.principal import Principal
from appkit_web.deps import current_actor, current_principal, provided, request_context
from appkit_web.request_context import RequestContext
from appkit_web.schemas.approvals import ApprovalOut, DecisionIn, WithdrawIn
from appkit_web.schemas.common import ItemList, problem_responses
from appkit_web.visibility import may_read_table, table_of

router = APIRouter(prefix="/approvals", tags=["approvals"])
approvals = provided("approvals")
_ERRORS = problem_responses(400, 401, 403, 404, 409, 429, 503)


class ApplyFailed(Conflict):
    """The approved action could not be applied (the request is now ``APPLY_FAILED``)."""

    code = "apply_failed"


class _Decide(Protocol):
    """:meth:`ApprovalService.approve` or :meth:`ApprovalService.reject`."""

    def __call__(
        self,
        approval_id: str,
        actor: Actor,
        *,
        comment: str = ...,
        seen_hash: str | None = ...,
        request_id: str | None = ...,
    ) -> Awaitable[ApprovalRequest]: ...


async def _decided(
    decide: _Decide,
    approval_id: str,
    body: DecisionIn | None,
    actor: Actor,
    context: RequestContext,
) -> ApprovalOut:
    """Record the caller's decision (an absent body is an empty one) and show the request."""
    body = body or DecisionIn.model_validate({})
    request = await decide(
        approval_id,
        actor,
        comment=body.comment,
        seen_hash=body.seen_hash,
        request_id=context.request_id,
    )
    return ApprovalOut.of(request)


@router.get("", response_model=ItemList[ApprovalOut], responses=_ERRORS)
async def list_approvals(
    status: ApprovalStatus | None = Query(None),
    kind: str | None = Query(None, max_length=100),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
    page_token: str | None = Query(None, max_length=1000),
    principal: Principal = Depends(current_principal),
    service: ApprovalService = Depends(approvals),
    permissions: PermissionChecker = Depends(provided("permissions")),
) -> ItemList[ApprovalOut]:
    """Requests by status and kind; payloads showing rows of a table the caller may not read
    are left out of their items."""
    page = await service.list(status=status, kind=kind, page_size=page_size, page_token=page_token)
    items = [
        ApprovalOut.of(r, show_payload=await may_read_table(permissions, principal, table_of(r)))
        for r in page.items
    ]
    return ItemList(items=items, next_page_token=page.next_page_token)


@router.get("/{approval_id}", response_model=ApprovalOut, responses=_ERRORS)
async def get_approval(
    approval_id: str,
    principal: Principal = Depends(current_principal),
    service: ApprovalService = Depends(approvals),
    permissions: PermissionChecker = Depends(provided("permissions")),
) -> ApprovalOut:
    """One request with its decisions; a payload showing rows of a table the caller may not
    read is left out."""
    request = await service.get(approval_id)
    show = await may_read_table(permissions, principal, table_of(request))
    return ApprovalOut.of(request, show_payload=show)


@router.post("/{approval_id}/approve", response_model=ApprovalOut, responses=_ERRORS)
async def approve(
    approval_id: str,
    body: DecisionIn | None = None,
    actor: Actor = Depends(current_actor),
    context: RequestContext = Depends(request_context),
    service: ApprovalService = Depends(approvals),
) -> ApprovalOut:
    """Approve as an eligible checker who is not the requester (403 otherwise).

    409 when the request is decided, expired, already decided by the caller, or
    its payload is not the one whose ``seen_hash`` the checker reviewed.
    """
    return await _decided(service.approve, approval_id, body, actor, context)


@router.post("/{approval_id}/reject", response_model=ApprovalOut, responses=_ERRORS)
async def reject(
    approval_id: str,
    body: DecisionIn | None = None,
    actor: Actor = Depends(current_actor),
    context: RequestContext = Depends(request_context),
    service: ApprovalService = Depends(approvals),
) -> ApprovalOut:
    """Reject as an eligible checker; one rejection ends the request ``REJECTED``."""
    return await _decided(service.reject, approval_id, body, actor, context)


@router.post("/{approval_id}/withdraw", response_model=ApprovalOut, responses=_ERRORS)
async def withdraw(
    approval_id: str,
    body: WithdrawIn | None = None,
    actor: Actor = Depends(current_actor),
    context: RequestContext = Depends(request_context),
    service: ApprovalService = Depends(approvals),
) -> ApprovalOut:
    request = await service.withdraw(
        approval_id,
        actor,
        reason=body.reason if body else "",
        request_id=context.request_id,
    )
    return ApprovalOut.of(request)


@router.post("/{approval_id}/apply", response_model=ApprovalOut, responses=_ERRORS)
async def apply(
    approval_id: str,
    actor: Actor = Depends(current_actor),
    context: RequestContext = Depends(request_context),
    service: ApprovalService = Depends(approvals),
) -> ApprovalOut:
    """Run an approved request's action (policies without auto-apply).

    409 ``apply_failed`` when the action could not be applied; the request is
    then ``APPLY_FAILED`` and ``GET`` shows its ``failure``.
    """
    request = await service.apply(approval_id, actor, request_id=context.request_id)
    if request.status is ApprovalStatus.APPLY_FAILED:
        raise ApplyFailed(
            f"approval request {request.id} could not be applied: {request.failure}",
            details={"approval_id": request.id, "failure": request.failure},
        )
    return ApprovalOut.of(request)
