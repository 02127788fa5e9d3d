"""What every platform router shares: the gate dependency and the signed-in context."""

from __future__ import annotations

from fastapi import Depends, Request

from appkit_web.deps import provided, signed_in
from appkit_web.platform.gate import PlatformGate
from appkit_web.request_context import RequestContext
from appkit_web.schemas.common import problem_responses

ERRORS = problem_responses(400, 401, 403, 404, 409, 429, 503)


class Platform:
    """A route's view of the platform: who calls (``context``) and the ``gate`` calls go through."""

    def __init__(self, context: RequestContext, gate: PlatformGate) -> None:
        self.context = context
        self.gate = gate


async def platform(
    request: Request, gate: PlatformGate = Depends(provided("platform_gate"))
) -> Platform:
    return Platform(await signed_in(request), gate)
