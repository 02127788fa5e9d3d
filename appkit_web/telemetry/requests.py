"""Pure ASGI middleware: one server span per HTTP request, and the request metrics.

It sits inside the request-id middleware (the span carries the request id)
and outside identity (refused requests are traced too). An incoming W3C
``traceparent`` continues the caller's trace. The span is named by the matched
route template (``POST /api/approvals/{approval_id}/approve``), so ids do not
multiply span names or metric series.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appkit_web.telemetry.setup import Telemetry


def _route(scope: Scope) -> str | None:
    """The matched route's full template, prefixes included (FastAPI keeps an included
    router's routes unprefixed and records the effective template beside them)."""
    effective = (scope.get("fastapi") or {}).get("effective_route_context")
    route = scope.get("route")
    for candidate in (
        getattr(effective, "path_format", None),
        getattr(route, "path_format", None),
        getattr(route, "path", None),
    ):
        if candidate:
            return str(candidate)
    return None


class RequestTracing:
    def __init__(self, app: ASGIApp, telemetry: Telemetry) -> None:
        self.app = app
        self.telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from opentelemetry.propagate import extract
        from opentelemetry.trace import SpanKind, Status, StatusCode

        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", ())}
        method = str(scope.get("method", "GET"))
        status = 500
        started = time.perf_counter()

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        with self.telemetry.tracer.start_as_current_span(
            method, context=extract(headers), kind=SpanKind.SERVER
        ) as span:
            try:
                await self.app(scope, receive, observed)
            finally:
                route = _route(scope)
                context: Any = scope.get("state", {}).get("appkit")
                span.update_name(f"{method} {route}" if route else method)
                attributes: dict[str, Any] = {
                    "http.request.method": method,
                    "http.response.status_code": status,
                    "url.path": str(scope.get("path", "")),
                }
                if route:
                    attributes["http.route"] = route
                if context is not None:
                    attributes["appkit.request_id"] = context.request_id
                    if context.principal is not None:
                        attributes["enduser.id"] = context.principal.id
                span.set_attributes(attributes)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR, f"HTTP {status}"))
                counted = {
                    "http.request.method": method,
                    "http.route": route or "unmatched",
                    "http.response.status_code": status,
                }
                self.telemetry.requests.add(1, counted)
                self.telemetry.request_duration.record(time.perf_counter() - started, counted)
