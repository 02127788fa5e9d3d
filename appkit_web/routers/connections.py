"""``/api/connections``: Unity Catalog connections; reads as the user, changes as the app.

Credential options (passwords, keys, tokens) are sent to the workspace and
never returned nor audited (only the input's hash is).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import Field

from appkit_adapters.platform.calls import ExecutesAs
from appkit_web.platform.gate import PlatformCall
from appkit_web.platform.routes import ERRORS, Platform, platform
from appkit_web.schemas.common import Input, ItemList

router = APIRouter(prefix="/connections", tags=["connections"])
USER, SP = ExecutesAs.USER, ExecutesAs.SERVICE_PRINCIPAL
_NAME = r"^[A-Za-z_][A-Za-z0-9_-]{0,254}$"


class ConnectionIn(Input):
    name: str = Field(..., pattern=_NAME, examples=["crm_postgres"])
    connection_type: str = Field(..., max_length=40, examples=["POSTGRESQL"])
    options: dict[str, str] = Field(..., min_length=1, max_length=50, repr=False)
    comment: str | None = Field(None, max_length=1000)


@router.get("", response_model=ItemList[dict[str, Any]], responses=ERRORS)
async def list_connections(p: Platform = Depends(platform)) -> ItemList[dict[str, Any]]:
    """The connections the caller may see."""
    call = PlatformCall("connections.list", "connections", USER)
    return ItemList(items=await p.gate.call(p.context, call, lambda c: c.connections.list()))


@router.get("/{name}", response_model=dict[str, Any], responses=ERRORS)
async def get_connection(name: str, p: Platform = Depends(platform)) -> dict[str, Any]:
    call = PlatformCall("connections.get", f"connection:{name}", USER)
    found: dict[str, Any] = await p.gate.call(p.context, call, lambda c: c.connections.get(name))
    return found


@router.post("", status_code=201, response_model=dict[str, Any], responses=ERRORS)
async def create_connection(body: ConnectionIn, p: Platform = Depends(platform)) -> dict[str, Any]:
    """Create a connection as the app (409 when it exists); secrets are never echoed."""
    call = PlatformCall(
        "connections.create",
        f"connection:{body.name}",
        SP,
        body.model_dump(),
        {"connection_type": body.connection_type, "option_names": sorted(body.options)},
    )
    created: dict[str, Any] = await p.gate.call(
        p.context,
        call,
        lambda c: c.connections.create(
            body.name, body.connection_type, body.options, comment=body.comment
        ),
    )
    return created


@router.delete("/{name}", status_code=204, responses=ERRORS)
async def delete_connection(name: str, p: Platform = Depends(platform)) -> Response:
    call = PlatformCall("connections.delete", f"connection:{name}", SP)
    await p.gate.call(p.context, call, lambda c: c.connections.delete(name))
    return Response(status_code=204)
