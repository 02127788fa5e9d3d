"""Who is using the console: the same identity as the API, and the dev user switcher.

In Databricks Apps the proxy signs every browser request, so the console
simply reads the request context. In dev identity a browser sends no proxy
headers: the switcher (dev identity only) lets it pick a demo user, kept in a
cookie that dev identity reads like ``X-Forwarded-Email``, from this machine
only.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from appkit_domain.errors import NotFound, PermissionDenied, Unauthenticated
from appkit_web.console.rendering import context_of, error_page, page, provider
from appkit_web.console.session import CSRF_FIELD, check_csrf, choose_dev_user
from appkit_web.request_context import RequestContext

router = APIRouter()


async def signed_in_or_page(request: Request) -> RequestContext | Response:
    """The signed-in caller's context, or the sign-in page (401) to answer with instead."""
    context = context_of(request)
    if context is not None and context.principal is not None:
        return context
    return await page(request, "sign_in.html", status_code=401, next=request.url.path)


def _is_dev(request: Request) -> bool:
    return bool(request.app.state.container.settings().effective_identity.value == "dev")


@router.get("/sign-in")
async def sign_in(request: Request) -> Response:
    return await page(request, "sign_in.html", next=request.query_params.get("next", ""))


@router.post("/switch-user")
async def switch_user(
    request: Request,
    email: str = Form("", max_length=320),
    next_page: str = Form("/console/inbox", alias="next", max_length=500),
    csrf: str = Form("", alias=CSRF_FIELD),
) -> Response:
    """Act as another demo user (dev identity only); an empty email signs out."""
    try:
        check_csrf(request, csrf)
        if not _is_dev(request):
            raise PermissionDenied("the user switcher exists in dev identity only")
        if email:
            directory = await provider(request, "dev_directory")
            try:
                await directory.find(email)
            except NotFound:
                raise Unauthenticated(f"the dev directory does not know {email!r}") from None
    except (PermissionDenied, Unauthenticated) as refused:
        return await error_page(request, refused)
    path = next_page.split("?", 1)[0]
    target = path if path.startswith("/console/") and "//" not in path else "/console/inbox"
    if target == "/console/sign-in":
        target = "/console/inbox"
    notice = "?done=switched" if email else ""
    response = RedirectResponse(f"{target}{notice}", status_code=303)
    return choose_dev_user(response, email or None)
