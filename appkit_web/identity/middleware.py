"""Pure ASGI middleware that resolves the caller once per request.

It puts a :class:`~appkit_web.request_context.RequestContext` with the
principal and its roles into ``scope["state"]["appkit"]`` (the request-id
middleware created it). A refused identity answers 401 problem+json here,
before any route runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from appkit_domain.errors import AppkitError
from appkit_domain.roles import RoleMap
from appkit_web.identity.modes import IdentityResolver
from appkit_web.middleware.asgi import send_error
from appkit_web.request_context import RequestContext, principal_id_var


class IdentityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        resolver: Callable[[], IdentityResolver | Awaitable[IdentityResolver]],
        roles: Callable[[], RoleMap | Awaitable[RoleMap]],
    ) -> None:
        """``resolver`` and ``roles`` are providers, asked per request (so overrides apply)."""
        self.app = app
        self.resolver = resolver
        self.roles = roles

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context: RequestContext = scope.setdefault("state", {})["appkit"]
        try:
            resolver = self.resolver()
            if inspect.isawaitable(resolver):  # built over an async resource
                resolver = await resolver
            resolved = await resolver.resolve(scope)
        except AppkitError as error:
            await send_error(send, error)
            return
        context.identity_mode = resolved.mode
        context.principal = resolved.principal
        context.user_token = resolved.user_token
        if resolved.principal is not None:
            roles = self.roles()
            if inspect.isawaitable(roles):
                roles = await roles
            context.roles = roles.roles_of(resolved.principal)
            token = principal_id_var.set(resolved.principal.id)
            try:
                await self.app(scope, receive, send)
            finally:
                principal_id_var.reset(token)
        else:
            await self.app(scope, receive, send)
