"""The console's data-quality exceptions: the list, ingesting failed checks, and each
exception's life cycle (acknowledge and resolve by its owner, a waiver asked by a maker)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from appkit_domain.dq import DqQuery, DqStatus
from appkit_domain.errors import AppkitError, InvalidInput, PermissionDenied
from appkit_domain.identifiers import TableName
from appkit_web.console.rendering import error_page, page, provider
from appkit_web.console.session import CSRF_FIELD, check_csrf
from appkit_web.console.sign_in import signed_in_or_page
from appkit_web.console.views import exception_view
from appkit_web.request_context import RequestContext
from appkit_web.routers.exceptions import check_result_rows
from appkit_web.sample.demo_data import CHECK_RESULTS_TABLE
from appkit_web.sample.governance import MAKER

router = APIRouter()
PAGE_SIZE = 100


async def _list_page(
    request: Request, context: RequestContext, error: AppkitError | None = None
) -> Response:
    principal = context.principal
    assert principal is not None
    status_text = request.query_params.get("status", "")
    overdue = request.query_params.get("overdue") == "1"
    service = await provider(request, "dq")
    now = service.clock.now()
    items = []
    try:
        status = DqStatus(status_text) if status_text else None
        listed = await service.query(
            DqQuery(
                statuses=frozenset({status}) if status else frozenset(),
                overdue_at=now if overdue else None,
                page_size=PAGE_SIZE,
                page_token=request.query_params.get("page_token") or None,
            )
        )
        items = [exception_view(e, principal, context.roles, now, MAKER) for e in listed.items]
    except (AppkitError, ValueError) as refused:
        error = (
            refused
            if isinstance(refused, AppkitError)
            else InvalidInput(f"unknown status {status_text!r}")
        )
    values: dict[str, Any] = {
        "items": items,
        "statuses": [s.value for s in DqStatus],
        "chosen_status": status_text,
        "overdue": overdue,
        "is_maker": MAKER in context.roles,
        "check_results_table": CHECK_RESULTS_TABLE,
    }
    if error is not None:
        return await error_page(request, error, "exceptions.html", **values)
    return await page(request, "exceptions.html", **values)


@router.get("/exceptions")
async def exceptions_page(request: Request) -> Response:
    context = await signed_in_or_page(request)
    if isinstance(context, Response):
        return context
    return await _list_page(request, context)


@router.post("/exceptions/ingest")
async def ingest(
    request: Request,
    table: str = Form(CHECK_RESULTS_TABLE, max_length=800),
    csrf: str = Form("", alias=CSRF_FIELD),
) -> Response:
    context = await signed_in_or_page(request)
    if isinstance(context, Response):
        return context
    assert context.principal is not None
    try:
        check_csrf(request, csrf)
        if MAKER not in context.roles:
            raise PermissionDenied(f"ingesting failed checks needs the {MAKER!r} role")
        rows = await check_result_rows(
            await provider(request, "check_results"),
            await provider(request, "directory"),
            TableName.parse(table),
        )
        await (await provider(request, "dq")).ingest_rows(rows, context.principal)
    except AppkitError as refused:
        return await _list_page(request, context, refused)
    return RedirectResponse("/console/exceptions?done=ingested", status_code=303)


def _until(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("the waiver needs an end date, e.g. 2027-01-31") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@router.post("/exceptions/{exception_id}/{action}")
async def act_on_exception(
    request: Request,
    exception_id: str,
    action: str,
    note: str = Form("", max_length=2000),
    until: str = Form("", max_length=40),
    csrf: str = Form("", alias=CSRF_FIELD),
) -> Response:
    context = await signed_in_or_page(request)
    if isinstance(context, Response):
        return context
    principal = context.principal
    assert principal is not None
    service = await provider(request, "dq")
    try:
        check_csrf(request, csrf)
        if action == "acknowledge":
            await service.acknowledge(exception_id, principal, note)
            done = "acknowledged"
        elif action == "resolve":
            await service.resolve(exception_id, principal, note)
            done = "resolved"
        elif action == "waive":
            waivers = await provider(request, "waivers")
            proposal = await waivers.request_waiver(
                exception_id, principal, note, _until(until), request_id=context.request_id
            )
            return RedirectResponse(
                f"/console/requests/{quote(proposal.approval_id)}?done=waive-requested",
                status_code=303,
            )
        else:
            raise InvalidInput(f"no exception action {action!r}")
    except AppkitError as refused:
        return await _list_page(request, context, refused)
    return RedirectResponse(f"/console/exceptions?done={done}", status_code=303)
