"""``/api/delta/tables/{table}``: history, detail, time travel, OPTIMIZE, VACUUM and RESTORE.

Reads (history, detail, rows as of a version) run as the caller, so Unity
Catalog applies their privileges; OPTIMIZE, VACUUM and RESTORE run as the
app's service principal once the platform policy admits the caller. Every
call goes through the platform gate (policy, per-user rate limit, audit).
When the app's approval policies cover ``delta_restore`` or ``delta_vacuum``
the call opens an approval request instead (202, with ``approval_id``); the
command runs once it is approved (:mod:`appkit_web.platform.delta`). A
``VACUUM ... DRY RUN`` deletes nothing and is never held for approval.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field, model_validator

from appkit_adapters.platform.calls import ExecutesAs
from appkit_adapters.sql.delta import MAX_HISTORY, MAX_RETAIN_HOURS, AsOf, DeltaTables
from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_domain.approvals.actor import Actor
from appkit_domain.identifiers import TableName, check_identifier
from appkit_web.deps import current_actor, provided
from appkit_web.platform.delta import (
    DELTA_RESTORE_KIND,
    DELTA_VACUUM_KIND,
    DeltaOperations,
    as_of_payload,
)
from appkit_web.platform.gate import PlatformCall
from appkit_web.platform.routes import ERRORS, Platform, platform
from appkit_web.schemas.common import Input, ItemList
from appkit_web.user_warehouses import UserWarehouses

router = APIRouter(prefix="/delta", tags=["delta"])
USER, SP = ExecutesAs.USER, ExecutesAs.SERVICE_PRINCIPAL


class OptimizeIn(Input):
    zorder_by: list[str] = Field(default_factory=list, max_length=32, examples=[["customer_id"]])


class VacuumIn(Input):
    retain_hours: float | None = Field(None, ge=0, le=MAX_RETAIN_HOURS, examples=[168])
    dry_run: bool = False


class RestoreIn(Input):
    version: int | None = Field(None, ge=0, examples=[3])
    timestamp: dt.datetime | None = Field(None, examples=["2025-03-01T10:00:00Z"])

    @model_validator(mode="after")
    def _one_of(self) -> RestoreIn:
        if (self.version is None) == (self.timestamp is None):
            raise ValueError("give exactly one of version or timestamp")
        if self.timestamp is not None and self.timestamp.tzinfo is None:
            raise ValueError("timestamp needs a time zone (e.g. ...Z)")
        return self


class HeldForApproval(BaseModel):
    """A governed command waiting for its approval request."""

    approval_id: str
    status: str
    required_approvals: int
    kind: str


class Deps:
    def __init__(
        self,
        p: Platform = Depends(platform),
        users: UserWarehouses = Depends(provided("user_warehouses")),
        service: SqlWarehouse | None = Depends(provided("warehouse")),
        operations: DeltaOperations = Depends(provided("delta_operations")),
    ) -> None:
        self.p, self.users, self.service, self.operations = p, users, service, operations

    async def run(self, call: PlatformCall, work: Any) -> Any:
        return await self.p.gate.call_sql(
            self.p.context, call, work, users=self.users, service=self.service
        )


def _table(full_name: str) -> TableName:
    return TableName.parse(full_name.lower())


def _call(action: str, table: TableName, executes_as: ExecutesAs, **details: Any) -> PlatformCall:
    return PlatformCall(
        f"delta.{action}", f"table:{table.full_name}", executes_as, details, details
    )


@router.get(
    "/tables/{full_name}/history", response_model=ItemList[dict[str, Any]], responses=ERRORS
)
async def history(
    full_name: str,
    limit: int | None = Query(None, ge=1, le=MAX_HISTORY),
    d: Deps = Depends(),
) -> ItemList[dict[str, Any]]:
    """The table's versions, newest first (``DESCRIBE HISTORY``), read as the caller."""
    table = _table(full_name)
    rows = await d.run(
        _call("history", table, USER),
        lambda w: DeltaTables(w).history(table, limit=limit),
    )
    return ItemList(items=rows)


@router.get("/tables/{full_name}/detail", response_model=dict[str, Any], responses=ERRORS)
async def detail(full_name: str, d: Deps = Depends()) -> dict[str, Any]:
    """``DESCRIBE DETAIL``: format, id, location, files, size, properties."""
    table = _table(full_name)
    result: dict[str, Any] = await d.run(
        _call("detail", table, USER), lambda w: DeltaTables(w).detail(table)
    )
    return result


@router.get("/tables/{full_name}/rows", response_model=ItemList[dict[str, Any]], responses=ERRORS)
async def rows_as_of(
    full_name: str,
    version: int | None = Query(None, ge=0),
    timestamp: dt.datetime | None = Query(None),
    limit: int = Query(100, ge=1, le=1000),
    d: Deps = Depends(),
) -> ItemList[dict[str, Any]]:
    """The rows of one version (``VERSION AS OF`` or ``TIMESTAMP AS OF``), as the caller."""
    table = _table(full_name)
    as_of = AsOf(version=version, timestamp=timestamp)
    rows = await d.run(
        _call("read", table, USER, **as_of_payload(as_of)),
        lambda w: DeltaTables(w).rows_as_of(table, as_of, limit=limit),
    )
    return ItemList(items=rows)


@router.post("/tables/{full_name}/optimize", response_model=dict[str, Any], responses=ERRORS)
async def optimize(full_name: str, body: OptimizeIn, d: Deps = Depends()) -> dict[str, Any]:
    """Compact the table's files (``OPTIMIZE [ZORDER BY]``), as the app."""
    table = _table(full_name)
    columns = [check_identifier(c, "column") for c in body.zorder_by]
    result: dict[str, Any] = await d.run(
        _call("optimize", table, SP, zorder_by=columns),
        lambda w: DeltaTables(w).optimize(table, zorder_by=columns),
    )
    return result


async def _held(
    d: Deps, actor: Actor, kind: str, action: str, table: TableName, payload: dict[str, Any]
) -> HeldForApproval:
    request = await d.run(
        _call(action, table, SP, held_for_approval=True, **payload),
        lambda _w: d.operations.propose(
            actor, kind, table, payload, request_id=d.p.context.request_id
        ),
    )
    return HeldForApproval(
        approval_id=request.id,
        status=request.status.value,
        required_approvals=request.required_approvals,
        kind=kind,
    )


@router.post(
    "/tables/{full_name}/vacuum",
    response_model=dict[str, Any] | HeldForApproval,
    responses={**ERRORS, 202: {"model": HeldForApproval}},
)
async def vacuum(
    full_name: str,
    body: VacuumIn,
    response: Response,
    actor: Actor = Depends(current_actor),
    d: Deps = Depends(),
) -> dict[str, Any] | HeldForApproval:
    """Delete files older than the retention (``VACUUM``), as the app, or hold it for approval."""
    table = _table(full_name)
    if not body.dry_run and d.operations.governed(DELTA_VACUUM_KIND):
        response.status_code = 202
        return await _held(
            d, actor, DELTA_VACUUM_KIND, "vacuum", table, {"retain_hours": body.retain_hours}
        )
    paths = await d.run(
        _call("vacuum", table, SP, retain_hours=body.retain_hours, dry_run=body.dry_run),
        lambda w: DeltaTables(w).vacuum(
            table, retain_hours=body.retain_hours, dry_run=body.dry_run
        ),
    )
    return {"table": table.full_name, "dry_run": body.dry_run, "paths": paths}


@router.post(
    "/tables/{full_name}/restore",
    response_model=dict[str, Any] | HeldForApproval,
    responses={**ERRORS, 202: {"model": HeldForApproval}},
)
async def restore(
    full_name: str,
    body: RestoreIn,
    response: Response,
    actor: Actor = Depends(current_actor),
    d: Deps = Depends(),
) -> dict[str, Any] | HeldForApproval:
    """Bring a version back as a new version (``RESTORE``), as the app, or hold it for approval."""
    table = _table(full_name)
    as_of = AsOf(version=body.version, timestamp=body.timestamp)
    payload = as_of_payload(as_of)
    if d.operations.governed(DELTA_RESTORE_KIND):
        response.status_code = 202
        return await _held(d, actor, DELTA_RESTORE_KIND, "restore", table, payload)
    result: dict[str, Any] = await d.run(
        _call("restore", table, SP, **payload),
        lambda w: DeltaTables(w).restore(table, as_of),
    )
    return {"table": table.full_name, **payload, "metrics": result}
