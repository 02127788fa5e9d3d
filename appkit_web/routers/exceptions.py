"""``/api/exceptions``: data-quality exceptions, their owners' work and waivers.

Raising and ingesting need the ``maker`` role (or a service principal);
acknowledging and resolving are the owner's (checked by the domain on the
exception itself); waiving needs a maker and creates an approval request.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from appkit_domain.dq import CheckFailure, DqQuery, DqStatus
from appkit_domain.dq.service import DqExceptionService
from appkit_domain.dq.waiver import WaiverWorkflow
from appkit_domain.errors import InvalidInput, NotFound, PermissionDenied
from appkit_domain.identifiers import TableName
from appkit_domain.pagination import MAX_PAGE_SIZE
from appkit_domain.ports.directory import Directory
from appkit_web.check_results import CheckResultsSource
from appkit_web.deps import provided, signed_in
from appkit_web.request_context import RequestContext
from appkit_web.routers.input_rules import finite, utc_instant
from appkit_web.sample.governance import MAKER
from appkit_web.schemas.common import ItemList, problem_responses
from appkit_web.schemas.exceptions import (
    ExceptionIn,
    ExceptionOut,
    IngestIn,
    IngestOut,
    NoteIn,
    RecordedOut,
    ResolveIn,
    WaiveIn,
    WaiverOut,
)

router = APIRouter(prefix="/exceptions", tags=["data quality"])
dq = provided("dq")
_ERRORS = problem_responses(400, 401, 403, 404, 409, 429, 503)


async def maker_or_service(request: Request) -> RequestContext:
    context = await signed_in(request)
    principal = context.principal
    assert principal is not None
    if MAKER not in context.roles and not principal.is_service_principal:
        raise PermissionDenied(f"this needs the {MAKER!r} role or a service principal")
    return context


async def _owner_id(directory: Directory, owner: str) -> str:
    """An owner named by id or email, as the principal id the directory knows."""
    try:
        return (await directory.find(owner)).id
    except NotFound:
        raise InvalidInput(f"owner {owner!r} is not known to the directory") from None


async def check_result_rows(
    source: CheckResultsSource, directory: Directory, table: TableName
) -> list[dict[str, Any]]:
    """The failed checks of ``table``, owners named by email turned into principal ids."""
    rows: list[dict[str, Any]] = []
    for row in await source.rows(table):
        item = dict(row)
        owner = item.get("owner")
        if isinstance(owner, str) and owner:
            # An owner the directory does not know is kept as written in the row.
            with contextlib.suppress(NotFound):
                item["owner"] = (await directory.find(owner)).id
        rows.append(item)
    return rows


@router.get("", response_model=ItemList[ExceptionOut], responses=_ERRORS)
async def list_exceptions(
    status: DqStatus | None = Query(None),
    overdue: bool = Query(False, description="only exceptions past their SLA due time"),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
    page_token: str | None = Query(None, max_length=1000),
    _: RequestContext = Depends(signed_in),
    service: DqExceptionService = Depends(dq),
) -> ItemList[ExceptionOut]:
    query = DqQuery(
        statuses=frozenset({status}) if status else frozenset(),
        overdue_at=service.clock.now() if overdue else None,
        page_size=page_size,
        page_token=page_token,
    )
    page = await service.query(query)
    return ItemList(
        items=[ExceptionOut.of(e) for e in page.items], next_page_token=page.next_page_token
    )


@router.post("", status_code=201, response_model=RecordedOut, responses=_ERRORS)
async def raise_exception(
    body: ExceptionIn,
    context: RequestContext = Depends(maker_or_service),
    service: DqExceptionService = Depends(dq),
    directory: Directory = Depends(provided("directory")),
) -> RecordedOut:
    """Record one failed check; raising the same failure again changes nothing."""
    principal = context.principal
    assert principal is not None
    detected_at = utc_instant(body.detected_at, "detected_at")
    finite(body.observed_value, "observed_value")
    failure = CheckFailure(
        check=body.check,
        table=TableName.parse(body.table),
        rule=body.rule,
        severity=body.severity,
        failing_key=body.failing_key,
        detected_at=detected_at or service.clock.now(),
        observed_value=body.observed_value,
        failing_rows_ref=body.failing_rows_ref,
        owner=await _owner_id(directory, body.owner) if body.owner else principal.id,
    )
    recorded = await service.raise_exception(failure, principal)
    return RecordedOut(
        outcome=recorded.outcome.value, exception=ExceptionOut.of(recorded.exception)
    )


@router.post("/ingest", response_model=IngestOut, responses=_ERRORS)
async def ingest(
    body: IngestIn,
    context: RequestContext = Depends(maker_or_service),
    service: DqExceptionService = Depends(dq),
    source: CheckResultsSource = Depends(provided("check_results")),
    directory: Directory = Depends(provided("directory")),
) -> IngestOut:
    """Ingest every failed check of a check-results table; ingesting twice changes nothing."""
    principal = context.principal
    assert principal is not None
    table = TableName.parse(body.table)
    rows = await check_result_rows(source, directory, table)
    report = await service.ingest_rows(rows, principal)
    counts = Counter(r.outcome.value for r in report.results)
    return IngestOut(
        table=table.full_name,
        rows=len(rows),
        results=[
            RecordedOut(outcome=r.outcome.value, exception=ExceptionOut.of(r.exception))
            for r in report.results
        ],
        rejected=[{"row": index, "reason": reason} for index, reason in report.rejected],
        counts=dict(counts),
    )


@router.get("/{exception_id}", response_model=ExceptionOut, responses=_ERRORS)
async def get_exception(
    exception_id: str,
    _: RequestContext = Depends(signed_in),
    service: DqExceptionService = Depends(dq),
) -> ExceptionOut:
    return ExceptionOut.of(await service.get(exception_id))


@router.post("/{exception_id}/acknowledge", response_model=ExceptionOut, responses=_ERRORS)
async def acknowledge(
    exception_id: str,
    body: NoteIn | None = None,
    context: RequestContext = Depends(signed_in),
    service: DqExceptionService = Depends(dq),
) -> ExceptionOut:
    """The owner takes the exception on (``OPEN|REOPENED -> ACKNOWLEDGED``)."""
    assert context.principal is not None
    item = await service.acknowledge(exception_id, context.principal, body.note if body else "")
    return ExceptionOut.of(item)


@router.post("/{exception_id}/resolve", response_model=ExceptionOut, responses=_ERRORS)
async def resolve(
    exception_id: str,
    body: ResolveIn,
    context: RequestContext = Depends(signed_in),
    service: DqExceptionService = Depends(dq),
) -> ExceptionOut:
    """The owner closes the exception with a resolution note."""
    assert context.principal is not None
    return ExceptionOut.of(await service.resolve(exception_id, context.principal, body.resolution))


@router.post("/{exception_id}/waive", status_code=201, response_model=WaiverOut, responses=_ERRORS)
async def waive(
    exception_id: str,
    body: WaiveIn,
    context: RequestContext = Depends(signed_in),
    waivers: WaiverWorkflow = Depends(provided("waivers")),
) -> WaiverOut:
    """Ask to waive an acknowledged exception until a date; an approver must approve it."""
    assert context.principal is not None
    until = utc_instant(body.until, "until")
    assert until is not None
    proposal = await waivers.request_waiver(
        exception_id,
        context.principal,
        body.justification,
        until,
        request_id=context.request_id,
    )
    return WaiverOut(
        id=proposal.exception.id,
        approval_id=proposal.approval_id,
        required_approvals=proposal.required_approvals,
        status=proposal.exception.status,
    )
