"""Rendering console pages: the packaged Jinja2 templates, with what every page shows.

Every page knows who is signed in from the request context the identity
middleware filled in, exactly as the API does; in dev identity it also lists
the demo users for the switcher. Autoescaping is on for every template.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import Response

from appkit_domain.errors import AppkitError
from appkit_domain.principal import Principal
from appkit_web.console.session import csrf_token, keep_csrf
from appkit_web.console.views import when
from appkit_web.problems import public_detail, status_of
from appkit_web.request_context import RequestContext

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'self'; base-uri 'none'"
)
"""Console pages load nothing but their own packaged files and post only to themselves."""

NOTICES = {
    "approved": "Approved. Your decision is recorded.",
    "rejected": "Rejected. The request is closed.",
    "withdrawn": "Withdrawn. The request is closed.",
    "applied": "Applied.",
    "proposed": "Proposed. It now waits for a checker.",
    "acknowledged": "Acknowledged. The exception is yours to resolve or waive.",
    "resolved": "Resolved.",
    "waive-requested": "Waiver requested. It takes effect once approved.",
    "ingested": "Ingested the failed checks.",
    "switched": "Signed in.",
}
"""Messages shown after an action; the page is redirected with ``?done=<key>``."""


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    folder = resources.files("appkit_web.console").joinpath("templates")
    environment = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(("html",), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["when"] = when
    return Jinja2Templates(env=environment)


def context_of(request: Request) -> RequestContext | None:
    found = request.scope.get("state", {}).get("appkit")
    return found if isinstance(found, RequestContext) else None


async def provider(request: Request, name: str) -> Any:
    """The app container's provider ``name``, called now (as :func:`appkit_web.deps.provided`)."""
    value = getattr(request.app.state.container, name)()
    return await value if inspect.isawaitable(value) else value


async def dev_users(request: Request) -> list[dict[str, str]]:
    """The demo users of the switcher (dev identity only; empty otherwise)."""
    context = context_of(request)
    settings = request.app.state.container.settings()
    if settings.effective_identity.value != "dev" and (
        context is None or not context.is_dev_identity
    ):
        return []
    directory = await provider(request, "dev_directory")
    roles = await provider(request, "role_map")
    listed = getattr(directory, "principals", [])
    people: list[Principal] = list(listed.values() if isinstance(listed, Mapping) else listed)
    note_of = getattr(directory, "note_of", lambda _id: "")
    return [
        {
            "email": p.email,
            "name": p.display_name,
            "roles": ", ".join(sorted(roles.roles_of(p))) or "no role",
            "note": note_of(p.id),
        }
        for p in people
    ]


async def page(request: Request, template: str, status_code: int = 200, **values: Any) -> Response:
    """Render ``template`` with the signed-in user, the switcher and the CSRF token."""
    context = context_of(request)
    principal = context.principal if context else None
    clock = await provider(request, "clock")
    shown = {
        "me": principal,
        "roles": sorted(context.roles) if context else [],
        "identity_mode": context.identity_mode if context else "none",
        "dev_users": await dev_users(request),
        "csrf": csrf_token(request),
        "notice": NOTICES.get(request.query_params.get("done", "")),
        "now": clock.now(),
        "path": request.url.path,
        "app_title": request.app.title,
        **values,
    }
    response = templates().TemplateResponse(request, template, shown, status_code=status_code)
    response.headers["Content-Security-Policy"] = POLICY
    return keep_csrf(request, response)


async def error_page(
    request: Request, error: AppkitError, template: str = "error.html", **values: Any
) -> Response:
    """The page again (or the error page) with the refusal said in words, at its HTTP status."""
    status, title = status_of(error)
    return await page(
        request,
        template,
        status_code=status,
        error={"title": title, "detail": public_detail(error, status), "code": error.code},
        **values,
    )
