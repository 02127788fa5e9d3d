"""``GET /api/me``: who the app thinks is calling."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from appkit_web.deps import signed_in
from appkit_web.request_context import RequestContext
from appkit_web.schemas.common import problem_responses

router = APIRouter(tags=["identity"])


class Me(BaseModel):
    id: str
    email: str
    display_name: str
    kind: str
    groups: list[str]
    roles: list[str]
    identity_mode: str


@router.get("/me", response_model=Me, responses=problem_responses(401, 429))
async def me(context: RequestContext = Depends(signed_in)) -> Me:
    principal = context.principal
    assert principal is not None
    return Me(
        id=principal.id,
        email=principal.email,
        display_name=principal.display_name,
        kind=principal.kind.value,
        groups=sorted(principal.groups),
        roles=sorted(context.roles),
        identity_mode=context.identity_mode,
    )
