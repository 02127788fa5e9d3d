"""The console's audit trail (auditors only): events by target, actor, action and time,
with the verify badge and, when a chain is broken, its first broken link."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from appkit_domain.audit import AuditLog, AuditQuery
from appkit_domain.errors import AppkitError, InvalidInput, PermissionDenied
from appkit_web.console.rendering import error_page, page, provider
from appkit_web.console.sign_in import signed_in_or_page
from appkit_web.routers.audit import AUDITOR

router = APIRouter()
FILTERS = ("target", "actor", "action", "since", "until")
PAGE_SIZE = 50


def _instant(text: str, name: str) -> datetime | None:
    """A ``datetime-local`` field (``2026-11-20T08:00``), read as UTC."""
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} must be a date and time, e.g. 2026-11-20T08:00") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@router.get("/audit")
async def audit_trail(request: Request) -> Response:
    context = await signed_in_or_page(request)
    if isinstance(context, Response):
        return context
    chosen = {name: request.query_params.get(name, "").strip()[:500] for name in FILTERS}
    try:
        if AUDITOR not in context.roles:
            raise PermissionDenied("the audit trail is for auditors")
        log: AuditLog = await provider(request, "audit_log")
        listed = await log.query(
            AuditQuery(
                target=chosen["target"] or None,
                actor=chosen["actor"] or None,
                action=chosen["action"] or None,
                since=_instant(chosen["since"], "since"),
                until=_instant(chosen["until"], "until"),
                page_size=PAGE_SIZE,
                page_token=request.query_params.get("page_token") or None,
            )
        )
        report = await log.verify()
    except AppkitError as refused:
        return await error_page(request, refused, "audit.html", filters=chosen, events=[],
                                report=None, next_page=None)  # fmt: skip
    events = [
        {
            "seq": e.seq,
            "stream": e.stream,
            "at": e.at,
            "actor": e.actor,
            "on_behalf_of": e.on_behalf_of,
            "action": e.action,
            "target": e.target,
            "request_id": e.request_id,
            "details": json.dumps(dict(e.details), default=str, sort_keys=True),
        }
        for e in listed.items
    ]
    next_page = None
    if listed.next_page_token:
        next_page = "?" + urlencode({**chosen, "page_token": listed.next_page_token})
    return await page(
        request, "audit.html", filters=chosen, events=events, report=report, next_page=next_page
    )
