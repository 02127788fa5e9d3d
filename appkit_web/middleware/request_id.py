"""Request id and access log: the proxy's ``X-Request-Id`` when well-formed, else a new one.

A well-formed id that looks like a token (the audit redactor would hide it)
is replaced too: the id is written to every log line and audit event.

The id is echoed in the ``X-Request-Id`` response header, set in a context
variable for logs, and kept in the request context for audit events. One
JSON access-log line per request (method, path, status, duration).
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appkit_domain.audit.redaction import Redactor
from appkit_web.request_context import RequestContext, request_id_var

_VALID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_access = logging.getLogger("appkit_web.access")
_redactor = Redactor()


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"x-request-id":
            candidate: str = value.decode("latin-1").strip()
            if _VALID.fullmatch(candidate) and _redactor.redact_text(candidate) == candidate:
                return candidate
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["appkit"] = RequestContext(request_id=request_id)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if _access.isEnabledFor(logging.INFO):
                context: RequestContext = scope["state"]["appkit"]
                _access.info(
                    "%s %s %s",
                    scope.get("method"),
                    scope.get("path"),
                    status,
                    extra={
                        "status": status,
                        "principal": context.principal.id if context.principal else None,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )
            request_id_var.reset(token)
