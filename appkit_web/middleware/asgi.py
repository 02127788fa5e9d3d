"""Answering a problem+json error straight from ASGI middleware."""

from __future__ import annotations

import logging

from starlette.types import Send

from appkit_domain.errors import AppkitError, RateLimited
from appkit_web.problems import PROBLEM_JSON, problem_bytes, public_detail, status_of

_log = logging.getLogger("appkit_web.problems")


async def send_error(send: Send, error: AppkitError, request_id: str | None = None) -> None:
    """The same problem+json the route handlers answer (a 500 says nothing of internals)."""
    status, title = status_of(error)
    if status >= 500:
        _log.error("request failed: %s (%s)", type(error).__name__, error.code)
    body = problem_bytes(status, title, public_detail(error, status), error.code)
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if isinstance(error, RateLimited) and error.retry_after is not None:
        headers.append((b"retry-after", str(max(1, round(error.retry_after))).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
