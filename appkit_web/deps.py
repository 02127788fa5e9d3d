"""FastAPI dependencies: the request context, the signed-in principal and container providers.

The container lives on ``app.state.container`` (one per app, so several apps
with different containers can coexist in one process, as tests need); route
code asks for a provider by name with :func:`provided`. Tests swap providers
with ``container.<name>.override(...)``.

Every dependency is ``async def``: FastAPI runs plain ``def`` dependencies in
a worker thread, which would cost a thread hop per dependency per request.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request

from appkit_domain.approvals.actor import Actor
from appkit_domain.errors import PermissionDenied, Unauthenticated
from appkit_domain.principal import Principal
from appkit_web.request_context import RequestContext


def _context(request: Request) -> RequestContext:
    context = request.scope.get("state", {}).get("appkit")
    if context is None:  # the app was mounted without its middleware
        raise Unauthenticated("no request context: identity middleware is not installed")
    assert isinstance(context, RequestContext)
    return context


def _signed_in(request: Request) -> RequestContext:
    context = _context(request)
    if context.principal is None:
        raise Unauthenticated("sign in first: this request carries no identity")
    return context


# Each dependency reads the scope itself rather than depending on another dependency:
# every level of nesting costs FastAPI a dependency solve per request.


async def request_context(request: Request) -> RequestContext:
    return _context(request)


async def signed_in(request: Request) -> RequestContext:
    """The context of a signed-in caller; 401 problem+json otherwise."""
    return _signed_in(request)


async def current_principal(request: Request) -> Principal:
    principal = _signed_in(request).principal
    assert principal is not None
    return principal


async def current_actor(request: Request) -> Actor:
    """The caller acting in person (services add the service principal where they write)."""
    principal = _signed_in(request).principal
    assert principal is not None
    return Actor.of(principal)


def require_role(role: str) -> Callable[..., Awaitable[RequestContext]]:
    """A dependency admitting only callers whose groups confer ``role`` (403 otherwise)."""

    async def check(request: Request) -> RequestContext:
        context = _signed_in(request)
        if role not in context.roles:
            raise PermissionDenied(f"this needs the {role!r} role")
        return context

    return check


def provided(name: str) -> Callable[[Request], Awaitable[Any]]:
    """A dependency returning the app container's provider ``name``, called now."""

    async def get(request: Request) -> Any:
        value = getattr(request.app.state.container, name)()
        # Providers that depend on an async resource hand back awaitables.
        return await value if inspect.isawaitable(value) else value

    get.__name__ = f"provided_{name}"
    return get
