"""``/api/audit``: query events and verify every hash chain (auditors only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from appkit_domain.audit import AuditEvent, AuditLog, AuditQuery
from appkit_domain.pagination import MAX_PAGE_SIZE
from appkit_web.deps import provided, require_role
from appkit_web.request_context import RequestContext
from appkit_web.routers.input_rules import utc_instant
from appkit_web.schemas.common import ItemList, problem_responses

AUDITOR = "auditor"
router = APIRouter(prefix="/audit", tags=["audit"])
_ERRORS = problem_responses(400, 401, 403, 429, 503)


class AuditEventOut(BaseModel):
    id: str
    stream: str
    seq: int
    at: datetime
    actor: str
    on_behalf_of: str | None
    action: str
    target: str
    request_id: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(
            id=event.id,
            stream=event.stream,
            seq=event.seq,
            at=event.at,
            actor=event.actor,
            on_behalf_of=event.on_behalf_of,
            action=event.action,
            target=event.target,
            request_id=event.request_id,
            details=dict(event.details),
            prev_hash=event.prev_hash,
            hash=event.hash,
        )


class BrokenLinkOut(BaseModel):
    stream: str
    seq: int
    event_id: str | None
    reason: str


class StreamOut(BaseModel):
    stream: str
    events: int
    head_seq: int
    head_hash: str | None
    ok: bool
    broken: BrokenLinkOut | None = None


class VerifyOut(BaseModel):
    ok: bool
    streams: list[StreamOut]
    first_broken: BrokenLinkOut | None = None


@router.get("/events", response_model=ItemList[AuditEventOut], responses=_ERRORS)
async def events(
    target: str | None = Query(None, max_length=500),
    actor: str | None = Query(None, max_length=500),
    action: str | None = Query(None, max_length=200),
    since: datetime | None = Query(None),
    until: datetime | None = Query(None),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
    page_token: str | None = Query(None, max_length=1000),
    _: RequestContext = Depends(require_role(AUDITOR)),
    log: AuditLog = Depends(provided("audit_log")),
) -> ItemList[AuditEventOut]:
    page = await log.query(
        AuditQuery(
            target=target,
            actor=actor,
            action=action,
            since=utc_instant(since, "since"),
            until=utc_instant(until, "until"),
            page_size=page_size,
            page_token=page_token,
        )
    )
    return ItemList(
        items=[AuditEventOut.of(e) for e in page.items], next_page_token=page.next_page_token
    )


@router.get("/verify", response_model=VerifyOut, responses=_ERRORS)
async def verify(
    _: RequestContext = Depends(require_role(AUDITOR)),
    log: AuditLog = Depends(provided("audit_log")),
) -> VerifyOut:
    report = await log.verify()

    def link(broken: Any) -> BrokenLinkOut | None:
        if broken is None:
            return None
        return BrokenLinkOut(
            stream=broken.stream, seq=broken.seq, event_id=broken.event_id, reason=broken.reason
        )

    return VerifyOut(
        ok=report.ok,
        streams=[
            StreamOut(
                stream=s.stream,
                events=s.events,
                head_seq=s.head_seq,
                head_hash=s.head_hash,
                ok=s.ok,
                broken=link(s.broken),
            )
            for s in report.streams
        ],
        first_broken=link(report.first_broken),
    )
