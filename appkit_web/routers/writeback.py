"""``/api/writeback/changes``: propose a governed row change (maker) and follow it.

The table, key columns, writable columns and allowed values come from the
app's write-back rules; anything else is 400 before any SQL runs. A change
is applied through its approval request (``POST /api/approvals/{id}/apply``)
and only while the row still equals its before-image; ``/evidence`` then shows the
row as the table version before and the one the change produced.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from appkit_domain.approvals.actor import Actor
from appkit_domain.errors import PermissionDenied
from appkit_domain.pagination import MAX_PAGE_SIZE
from appkit_domain.principal import Principal
from appkit_domain.writeback import ChangeQuery, ChangeStatus
from appkit_domain.writeback.service import WritebackService
from appkit_web.deps import current_actor, current_principal, provided, request_context
from appkit_web.request_context import RequestContext
from appkit_web.routers.input_rules import finite_values
from appkit_web.schemas.common import ItemList, problem_responses
from appkit_web.schemas.writeback import ChangeIn, ChangeOut, EvidenceOut
from appkit_web.visibility import may_read_table

router = APIRouter(prefix="/writeback", tags=["write-back"])
writeback = provided("writeback")
_ERRORS = problem_responses(400, 401, 403, 404, 409, 429, 503)


@router.post("/changes", status_code=201, response_model=ChangeOut, responses=_ERRORS)
async def propose_change(
    body: ChangeIn,
    actor: Actor = Depends(current_actor),
    context: RequestContext = Depends(request_context),
    service: WritebackService = Depends(writeback),
) -> ChangeOut:
    """Propose new values for one row; answers the change with its approval id."""
    finite_values(body.key, "key")
    finite_values(body.set, "set")
    proposal = await service.propose(
        actor, body.table, body.key, body.set, body.reason, request_id=context.request_id
    )
    return ChangeOut.of(proposal.change)


@router.get("/changes", response_model=ItemList[ChangeOut], responses=_ERRORS)
async def list_changes(
    status: ChangeStatus | None = Query(None),
    table: str | None = Query(None, max_length=800),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
    page_token: str | None = Query(None, max_length=1000),
    principal: Principal = Depends(current_principal),
    service: WritebackService = Depends(writeback),
) -> ItemList[ChangeOut]:
    """Changes; rows of tables the caller may not read are left out of each item."""
    page = await service.query(
        ChangeQuery(
            statuses=frozenset({status}) if status else frozenset(),
            table=table,
            page_size=page_size,
            page_token=page_token,
        )
    )
    items = [
        ChangeOut.of(c, show_rows=await may_read_table(service.permissions, principal, c.table))
        for c in page.items
    ]
    return ItemList(items=items, next_page_token=page.next_page_token)


@router.get("/changes/{change_id}/evidence", response_model=EvidenceOut, responses=_ERRORS)
async def change_evidence(
    change_id: str,
    principal: Principal = Depends(current_principal),
    context: RequestContext = Depends(request_context),
    service: WritebackService = Depends(writeback),
) -> EvidenceOut:
    """The row as the table version before an applied change and the version it produced
    (read with ``VERSION AS OF``); the versions are recorded on the change the first time."""
    change = await service.get(change_id)
    if not await may_read_table(service.permissions, principal, change.table):
        raise PermissionDenied(
            f"{principal.id} may not read {change.table.full_name}",
            details={"table": change.table.full_name},
        )
    return EvidenceOut.of(await service.evidence(change_id, request_id=context.request_id))


@router.get("/changes/{change_id}", response_model=ChangeOut, responses=_ERRORS)
async def get_change(
    change_id: str,
    principal: Principal = Depends(current_principal),
    service: WritebackService = Depends(writeback),
) -> ChangeOut:
    """State, before/after images (when the caller may read the table) and, when it failed, why."""
    change = await service.get(change_id)
    show = await may_read_table(service.permissions, principal, change.table)
    return ChangeOut.of(change, show_rows=show)
