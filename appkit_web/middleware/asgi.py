"""Answering a problem+json error straight from ASGI middleware."""

from __future__ import annotations

from starlette.types import Send

from appkit_domain.errors import AppkitError, RateLimited
from appkit_web.problems import PROBLEM_JSON, problem_bytes, status_of


async def send_error(send: Send, error: AppkitError, request_id: str | None = None) -> None:
    status, title = status_of(error)
    body = problem_bytes(status, title, error.message, error.code)
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if isinstance(error, RateLimited) and error.retry_after is not None:
        headers.append((b"retry-after", str(max(1, round(error.retry_after))).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
