"""Console pages of approval requests: the inbox and one request with its actions.

The inbox lists the pending requests the signed-in user may decide now and
the user's own requests, newest first, each with its expiry countdown. A
request page shows the payload (a before/after diff for write-back, the old
and new value for an override) unless its table is hidden from the user, the
decisions so far, and the actions the rules allow; pressing one calls the
approval service, which decides again.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from appkit_domain.approvals import ApprovalRequest, ApprovalService, ApprovalStatus
from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.payload import thaw
from appkit_domain.errors import AppkitError, NotFound
from appkit_domain.principal import Principal
from appkit_domain.writeback.service import WRITEBACK_KIND
from appkit_web.console.rendering import error_page, page, provider
from appkit_web.console.session import CSRF_FIELD, check_csrf
from appkit_web.console.sign_in import signed_in_or_page
from appkit_web.console.views import RequestView, request_view
from appkit_web.request_context import RequestContext
from appkit_web.routers.approvals import ApplyFailed
from appkit_web.visibility import may_read_table, table_of

router = APIRouter()

INBOX_SCAN = 1000
"""At most this many requests are read to fill the inbox (oldest first, pages of 200)."""


async def _requests(
    service: ApprovalService, status: ApprovalStatus | None
) -> list[ApprovalRequest]:
    found: list[ApprovalRequest] = []
    token: str | None = None
    while len(found) < INBOX_SCAN:
        listed = await service.list(status=status, page_size=200, page_token=token)
        found.extend(listed.items)
        token = listed.next_page_token
        if not token:
            break
    return found


async def _view(request: Request, item: ApprovalRequest, principal: Principal) -> RequestView:
    permissions = await provider(request, "permissions")
    clock = await provider(request, "clock")
    shown = await may_read_table(permissions, principal, table_of(item))
    return request_view(item, clock.now(), show_payload=shown)


@router.get("/inbox")
async def inbox(request: Request) -> Response:
    context = await signed_in_or_page(request)
    if isinstance(context, Response):
        return context
    principal = context.principal
    assert principal is not None
    service: ApprovalService = await provider(request, "approvals")
    actor = Actor.of(principal)
    awaiting = [
        await _view(request, item, principal)
        for item in await _requests(service, ApprovalStatus.PENDING)
        if await service.may_decide(item, actor)
    ]
    mine = [
        await _view(request, item, principal)
        for item in reversed(await _requests(service, None))
        if item.requester == principal.id
    ]
    return await page(request, "inbox.html", awaiting=awaiting, mine=mine)


async def _hints(
    request: Request, item: ApprovalRequest, context: RequestContext
) -> dict[str, bool]:
    """Which actions to offer (the service checks again when one is pressed)."""
    principal = context.principal
    assert principal is not None
    service: ApprovalService = await provider(request, "approvals")
    mine = item.requester == principal.id
    may_apply = False
    if item.status is ApprovalStatus.APPROVED and not item.apply_claimed:
        try:
            appliers = service.policies.get(item.kind).appliers
            may_apply = appliers.admits(principal.groups, context.roles)
        except AppkitError:
            may_apply = False
    return {
        "may_decide": await service.may_decide(item, Actor.of(principal)),
        "may_withdraw": mine and item.status is ApprovalStatus.PENDING,
        "may_apply": may_apply,
    }


async def _change_state(request: Request, item: ApprovalRequest) -> dict[str, Any] | None:
    """The write-back change an approval binds: its state and, when it failed, why."""
    if item.kind != WRITEBACK_KIND:
        return None
    change_id = thaw(item.payload).get("change_id")
    try:
        change = await (await provider(request, "writeback")).get(str(change_id))
    except NotFound:
        return None
    return {"id": change.id, "status": change.status.value, "failure": change.failure}


async def request_page(
    request: Request, approval_id: str, context: RequestContext, *, error: AppkitError | None = None
) -> Response:
    service: ApprovalService = await provider(request, "approvals")
    principal = context.principal
    assert principal is not None
    try:
        item = await service.get(approval_id)
    except NotFound as missing:
        return await error_page(request, missing)
    values: dict[str, Any] = {
        "item": await _view(request, item, principal),
        "hints": await _hints(request, item, context),
        "change": await _change_state(request, item),
    }
    if error is not None:
        return await error_page(request, error, "request.html", **values)
    return await page(request, "request.html", **values)


@router.get("/requests/{approval_id}")
async def show_request(request: Request, approval_id: str) -> Response:
    context = await signed_in_or_page(request)
    if isinstance(context, Response):
        return context
    return await request_page(request, approval_id, context)


ACTIONS = {"approve": "approved", "reject": "rejected", "withdraw": "withdrawn", "apply": "applied"}


@router.post("/requests/{approval_id}/{action}")
async def act_on_request(
    request: Request,
    approval_id: str,
    action: str,
    comment: str = Form("", max_length=2000),
    csrf: str = Form("", alias=CSRF_FIELD),
) -> Response:
    context = await signed_in_or_page(request)
    if isinstance(context, Response):
        return context
    principal = context.principal
    assert principal is not None
    if action not in ACTIONS:
        return await error_page(request, NotFound(f"no console action {action!r}"))
    service: ApprovalService = await provider(request, "approvals")
    actor = Actor.of(principal)
    try:
        check_csrf(request, csrf)
        if action == "approve":
            await service.approve(
                approval_id, actor, comment=comment, request_id=context.request_id
            )
        elif action == "reject":
            await service.reject(approval_id, actor, comment=comment, request_id=context.request_id)
        elif action == "withdraw":
            await service.withdraw(
                approval_id, actor, reason=comment, request_id=context.request_id
            )
        else:
            applied = await service.apply(approval_id, actor, request_id=context.request_id)
            if applied.status is ApprovalStatus.APPLY_FAILED:
                raise ApplyFailed(f"the approved change could not be applied: {applied.failure}")
    except AppkitError as refused:
        return await request_page(request, approval_id, context, error=refused)
    return RedirectResponse(
        f"/console/requests/{quote(approval_id)}?done={ACTIONS[action]}", status_code=303
    )
