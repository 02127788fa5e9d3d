"""``/api/secrets``: secret scopes and secrets, as the app's service principal; values write-only.

Databricks has no on-behalf-of scope for secrets, so the policy decides who
may call these and the calls run as the app. No route returns a secret's
value, and no audit record holds it (nor its hash: a hash of a short secret
could be guessed back). A scope literally named ``scopes`` cannot be listed
through ``GET /api/secrets/{scope}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import Field

from appkit_adapters.platform.calls import ExecutesAs
from appkit_web.platform.gate import PlatformCall
from appkit_web.platform.routes import ERRORS, Platform, platform
from appkit_web.schemas.common import Input, ItemList

router = APIRouter(prefix="/secrets", tags=["secrets"])
SP = ExecutesAs.SERVICE_PRINCIPAL
_NAME = r"^[A-Za-z0-9_.\-]{1,128}$"


class ScopeIn(Input):
    scope: str = Field(..., pattern=_NAME, examples=["month-end"])
    initial_manage_principal: str | None = Field(None, max_length=255, examples=["users"])


class SecretIn(Input):
    value: str = Field(..., min_length=1, max_length=128 * 1024, repr=False)


def _scope_call(action: str, scope: str) -> PlatformCall:
    return PlatformCall(action, f"secret-scope:{scope}", SP, {"scope": scope})


def _secret_call(action: str, scope: str, key: str) -> PlatformCall:
    return PlatformCall(action, f"secret:{scope}/{key}", SP, {"scope": scope, "key": key})


@router.get("/scopes", response_model=ItemList[dict[str, Any]], responses=ERRORS)
async def list_scopes(p: Platform = Depends(platform)) -> ItemList[dict[str, Any]]:
    """Every secret scope the app can see."""
    call = PlatformCall("secrets.list_scopes", "secret-scopes", SP)
    scopes = await p.gate.call(p.context, call, lambda c: c.secrets.list_scopes())
    return ItemList(items=scopes)


@router.post("/scopes", status_code=201, response_model=dict[str, Any], responses=ERRORS)
async def create_scope(body: ScopeIn, p: Platform = Depends(platform)) -> dict[str, Any]:
    """Create a Databricks-backed scope (409 when it exists)."""
    await p.gate.call(
        p.context,
        _scope_call("secrets.create_scope", body.scope),
        lambda c: c.secrets.create_scope(
            body.scope, initial_manage_principal=body.initial_manage_principal
        ),
    )
    return {"name": body.scope}


@router.delete("/scopes/{scope}", status_code=204, responses=ERRORS)
async def delete_scope(scope: str, p: Platform = Depends(platform)) -> Response:
    """Delete a scope and every secret in it."""
    await p.gate.call(
        p.context,
        _scope_call("secrets.delete_scope", scope),
        lambda c: c.secrets.delete_scope(scope),
    )
    return Response(status_code=204)


@router.get("/{scope}", response_model=ItemList[dict[str, Any]], responses=ERRORS)
async def list_secrets(scope: str, p: Platform = Depends(platform)) -> ItemList[dict[str, Any]]:
    """The keys of a scope and when each was last written; never values."""
    keys = await p.gate.call(
        p.context, _scope_call("secrets.list", scope), lambda c: c.secrets.list_secrets(scope)
    )
    return ItemList(items=keys)


@router.put("/{scope}/{key}", status_code=204, responses=ERRORS)
async def put_secret(
    scope: str, key: str, body: SecretIn, p: Platform = Depends(platform)
) -> Response:
    """Store or replace a secret. The value is sent on and kept nowhere else."""
    await p.gate.call(
        p.context,
        _secret_call("secrets.put", scope, key),
        lambda c: c.secrets.put_secret(scope, key, body.value),
    )
    return Response(status_code=204)


@router.delete("/{scope}/{key}", status_code=204, responses=ERRORS)
async def delete_secret(scope: str, key: str, p: Platform = Depends(platform)) -> Response:
    await p.gate.call(
        p.context,
        _secret_call("secrets.delete", scope, key),
        lambda c: c.secrets.delete_secret(scope, key),
    )
    return Response(status_code=204)
