"""The console's browser session: a CSRF token and, in dev identity, the chosen demo user.

Every form carries the token the page was rendered with; a POST whose form
token does not equal the ``appkit_csrf`` cookie is refused before anything
runs (a page on another site can make a browser post a form, but cannot read
this site's cookie to fill it in). Cookies are ``SameSite=Strict``.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from starlette.responses import Response

from appkit_domain.errors import PermissionDenied
from appkit_web.identity.headers import DEV_USER_COOKIE

CSRF_COOKIE = "appkit_csrf"
CSRF_FIELD = "csrf"


class ForgedForm(PermissionDenied):
    """A console form arrived without the token of the page it came from."""

    code = "csrf_token_mismatch"


def csrf_token(request: Request) -> str:
    """The session's token (a new one when the browser has none; :func:`keep_csrf` sets it)."""
    current = request.cookies.get(CSRF_COOKIE)
    if current and 20 <= len(current) <= 100:
        return current
    fresh: str = request.state.__dict__.setdefault("console_csrf", secrets.token_urlsafe(24))
    return fresh


def keep_csrf(request: Request, response: Response) -> Response:
    """Set the token cookie when :func:`csrf_token` made a new one for this page."""
    fresh = request.state.__dict__.get("console_csrf")
    if fresh:
        response.set_cookie(CSRF_COOKIE, fresh, httponly=True, samesite="strict", path="/console")
    return response


def check_csrf(request: Request, submitted: str | None) -> None:
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    if not submitted or not cookie or not hmac.compare_digest(cookie, submitted):
        raise ForgedForm("this form is stale or came from another site: reload the page and retry")


def choose_dev_user(response: Response, email: str | None) -> Response:
    """Remember (or, with None, forget) the demo user a dev-identity browser acts as."""
    if email:
        response.set_cookie(DEV_USER_COOKIE, email, httponly=True, samesite="strict", path="/")
    else:
        response.delete_cookie(DEV_USER_COOKIE, path="/")
    return response
