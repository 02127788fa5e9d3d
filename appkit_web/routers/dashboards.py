"""``/api/dashboards``: AI/BI (Lakeview) dashboards. Reads as the user; creating and
publishing as the app, publishing through maker-checker when the app's policy says so."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from appkit_adapters.platform.calls import ExecutesAs
from appkit_domain.approvals.actor import Actor
from appkit_web.deps import current_actor, provided
from appkit_web.platform.dashboards import DASHBOARD_PUBLISH_KIND, DashboardPublishing
from appkit_web.platform.gate import PlatformCall
from appkit_web.platform.routes import ERRORS, Platform, platform
from appkit_web.schemas.common import Input, ItemList

router = APIRouter(prefix="/dashboards", tags=["dashboards"])
USER, SP = ExecutesAs.USER, ExecutesAs.SERVICE_PRINCIPAL
_ID = r"^[A-Za-z0-9]{1,64}$"


class DashboardIn(Input):
    display_name: str = Field(..., min_length=1, max_length=255, pattern=r"^[^/]+$")
    serialized_dashboard: str = Field(..., min_length=2, max_length=5_000_000)
    warehouse_id: str | None = Field(None, max_length=64)
    parent_path: str | None = Field(None, max_length=4000)


class PublishIn(Input):
    warehouse_id: str | None = Field(None, max_length=64)
    embed_credentials: bool = True


class HeldForApproval(BaseModel):
    approval_id: str
    status: str
    required_approvals: int
    kind: str


@router.get("", response_model=ItemList[dict[str, Any]], responses=ERRORS)
async def list_dashboards(p: Platform = Depends(platform)) -> ItemList[dict[str, Any]]:
    call = PlatformCall("dashboards.list", "dashboards", USER)
    return ItemList(items=await p.gate.call(p.context, call, lambda c: c.dashboards.list()))


@router.get("/{dashboard_id}", response_model=dict[str, Any], responses=ERRORS)
async def get_dashboard(dashboard_id: str, p: Platform = Depends(platform)) -> dict[str, Any]:
    call = PlatformCall("dashboards.get", f"dashboard:{dashboard_id}", USER)
    found: dict[str, Any] = await p.gate.call(
        p.context, call, lambda c: c.dashboards.get(dashboard_id)
    )
    return found


@router.post("", status_code=201, response_model=dict[str, Any], responses=ERRORS)
async def create_dashboard(body: DashboardIn, p: Platform = Depends(platform)) -> dict[str, Any]:
    """Create a draft from its definition (the JSON of a ``.lvdash.json`` file)."""
    call = PlatformCall(
        "dashboards.create", "dashboards", SP, body.model_dump(), {"name": body.display_name}
    )
    created: dict[str, Any] = await p.gate.call(
        p.context,
        call,
        lambda c: c.dashboards.create(
            body.display_name,
            body.serialized_dashboard,
            warehouse_id=body.warehouse_id,
            parent_path=body.parent_path,
        ),
    )
    return created


@router.post(
    "/{dashboard_id}/publish",
    response_model=dict[str, Any] | HeldForApproval,
    responses={**ERRORS, 202: {"model": HeldForApproval}},
)
async def publish(
    dashboard_id: str,
    body: PublishIn,
    response: Response,
    actor: Actor = Depends(current_actor),
    p: Platform = Depends(platform),
    publishing: DashboardPublishing = Depends(provided("dashboard_publishing")),
) -> dict[str, Any] | HeldForApproval:
    """Publish the draft as the app, or hold it for approval (202) when the policy says so."""
    payload = body.model_dump()
    target = f"dashboard:{dashboard_id}"
    if publishing.governed():
        response.status_code = 202
        call = PlatformCall("dashboards.publish", target, SP, payload, {"held_for_approval": True})
        request = await p.gate.call(
            p.context,
            call,
            lambda _c: publishing.propose(
                actor, dashboard_id, payload, request_id=p.context.request_id
            ),
        )
        return HeldForApproval(
            approval_id=request.id,
            status=request.status.value,
            required_approvals=request.required_approvals,
            kind=DASHBOARD_PUBLISH_KIND,
        )
    call = PlatformCall("dashboards.publish", target, SP, payload)
    published: dict[str, Any] = await p.gate.call(
        p.context,
        call,
        lambda c: c.dashboards.publish(
            dashboard_id,
            warehouse_id=body.warehouse_id,
            embed_credentials=body.embed_credentials,
        ),
    )
    return published


@router.get("/{dashboard_id}/published", response_model=dict[str, Any], responses=ERRORS)
async def published(dashboard_id: str, p: Platform = Depends(platform)) -> dict[str, Any]:
    call = PlatformCall("dashboards.published", f"dashboard:{dashboard_id}", USER)
    found: dict[str, Any] = await p.gate.call(
        p.context, call, lambda c: c.dashboards.published(dashboard_id)
    )
    return found
