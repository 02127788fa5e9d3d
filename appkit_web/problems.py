"""The one mapping from the domain error tree to HTTP: RFC 9457 problem+json.

Every error response has ``type``, ``title``, ``status``, ``detail`` and
``code`` (the domain error's stable code). The most specific class in
:data:`STATUS_BY_ERROR` wins. Unexpected exceptions become a 500 whose detail
says nothing about the internals; bad input never does. Every text of a
problem passes the audit redactor: a detail that echoes a client value (an
id, a column value, a warehouse message) never carries a token.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from appkit_domain.audit.redaction import Redactor
from appkit_domain.errors import (
    AppkitError,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unauthenticated,
    Unavailable,
)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://lakehouse-appkit.dev/problems/"

STATUS_BY_ERROR: tuple[tuple[type[AppkitError], int, str], ...] = (
    (Unauthenticated, 401, "Not signed in"),
    (PermissionDenied, 403, "Not allowed"),
    (NotFound, 404, "Not found"),
    (Conflict, 409, "Conflict"),
    (InvalidInput, 400, "Invalid input"),
    (RateLimited, 429, "Too many requests"),
    (Unavailable, 503, "Unavailable"),
    (AppkitError, 500, "Internal error"),
)
"""Error class -> (status, title); looked up along the exception's MRO, most specific first."""

_log = logging.getLogger("appkit_web.problems")
_redactor = Redactor()


def status_of(error: AppkitError) -> tuple[int, str]:
    for cls in type(error).__mro__:
        for known, status, title in STATUS_BY_ERROR:
            if cls is known:
                return status, title
    return 500, "Internal error"


def problem_body(status: int, title: str, detail: str, code: str, **extra: Any) -> dict[str, Any]:
    """The problem details, with tokens and secrets in any text redacted."""
    return _redactor.redact(
        {
            "type": TYPE_BASE + code,
            "title": title,
            "status": status,
            "detail": detail,
            "code": code,
            **extra,
        }
    )


def problem_bytes(status: int, title: str, detail: str, code: str, **extra: Any) -> bytes:
    return json.dumps(problem_body(status, title, detail, code, **extra), default=str).encode()


def problem_response(
    status: int,
    title: str,
    detail: str,
    code: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    return Response(
        problem_bytes(status, title, detail, code, **extra),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers or {}),
    )


_HIDDEN = "the server could not complete the request"


def public_detail(error: AppkitError, status: int) -> str:
    """What a client may read of ``error``: its message, except for a 500."""
    return error.message if status != 500 else _HIDDEN


def error_response(error: AppkitError) -> Response:
    """The problem+json response for a domain error (with ``Retry-After`` when known)."""
    status, title = status_of(error)
    headers: dict[str, str] = {}
    if isinstance(error, RateLimited) and error.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(error.retry_after)))
    detail = public_detail(error, status)
    return problem_response(status, title, detail, error.code, headers)


async def _on_appkit_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppkitError)
    if status_of(exc)[0] >= 500:
        _log.error("request failed: %s (%s)", type(exc).__name__, exc.code)
    return error_response(exc)


async def _on_validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for item in exc.errors():
        location = ".".join(str(part) for part in item.get("loc", ()))
        errors.append({"loc": location, "msg": str(item.get("msg", ""))})
    first = errors[0] if errors else {"loc": "", "msg": "invalid request"}
    return problem_response(
        422,
        "Invalid request",
        f"{first['loc']}: {first['msg']}",
        "validation_error",
        errors=errors,
    )


async def _on_http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated"}
    code = codes.get(exc.status_code, "http_error")
    return problem_response(
        exc.status_code, str(exc.detail), str(exc.detail), code, headers=exc.headers
    )


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    # Starlette calls this outside the request-id middleware (whose context variable is
    # reset by then), so the request id is taken from the request's own context.
    context = request.scope.get("state", {}).get("appkit")
    request_id = getattr(context, "request_id", None)
    _log.error(
        "unexpected error: %s: %s",
        type(exc).__name__,
        exc,
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"request_id": request_id},
    )
    headers = {"X-Request-Id": request_id} if request_id else None
    return problem_response(500, "Internal error", _HIDDEN, "internal_error", headers)


def install_problem_handlers(app: FastAPI) -> None:
    """Register the one mapping on ``app``."""
    app.add_exception_handler(AppkitError, _on_appkit_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
