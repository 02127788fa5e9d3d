"""The aiohttp application: route table, authentication, fault injection, stats, error bodies."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from appkit_testing.workspace.errors import (
    ApiError,
    invalid_token,
    permission_denied,
    unauthenticated,
)
from appkit_testing.workspace.identity.backend import Identity
from appkit_testing.workspace.routing import Call, RawReply, Route
from appkit_testing.workspace.state import Workspace

MAX_BODY_BYTES = 17 * 1024 * 1024
_LOG = logging.getLogger(__name__)


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type="application/json",
        headers=headers,
    )


def _error(error: ApiError) -> web.Response:
    return _json(error.status, error.body(), error.headers)


def _authenticate(workspace: Workspace, request: web.Request, route: Route) -> Identity | None:
    if route.access == "none":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated()
    identity = workspace.identity.by_token(token.strip())
    if identity is None:
        raise invalid_token()
    if route.access == "admin" and not identity.is_admin:
        raise permission_denied("Only workspace admins may use the emulator control surface.")
    return identity


@dataclass
class _Body:
    json: dict[str, Any] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    raw: bytes = b""


_RAW_TYPES = ("application/octet-stream", "text/csv", "application/zip")


async def _body(request: web.Request) -> _Body:
    if not request.can_read_body:
        return _Body()
    if request.content_type == "application/x-www-form-urlencoded":
        form = await request.post()
        return _Body(form={key: str(value) for key, value in form.items()})
    if request.content_type == "multipart/form-data":
        parts = await request.post()
        found = _Body()
        for key, value in parts.items():
            if isinstance(value, web.FileField):
                found.files[key] = value.file.read()
            else:
                found.form[key] = str(value)
        return found
    raw = await request.read()
    if request.content_type in _RAW_TYPES or (request.method == "PUT" and "/fs/" in request.path):
        return _Body(raw=raw)
    if not raw.strip():
        return _Body()
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, "MALFORMED_REQUEST", "Request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "MALFORMED_REQUEST", "Request body must be a JSON object.")
    return _Body(json=body, raw=raw)


def _fault_response(workspace: Workspace, request: web.Request, kind: str) -> web.Response:
    workspace.stats.count_fault(kind)
    retry_after = str(workspace.faults.plan.retry_after_seconds)
    if kind == "http_429":
        return _json(
            429,
            {
                "error_code": "REQUEST_LIMIT_EXCEEDED",
                "message": "The request limit was exceeded. Please retry later.",
            },
            {"Retry-After": retry_after},
        )
    if kind == "http_503":
        return _json(
            503,
            {
                "error_code": "TEMPORARILY_UNAVAILABLE",
                "message": "The service is temporarily unavailable. Please retry later.",
            },
            {"Retry-After": retry_after},
        )
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)


def _handler(
    workspace: Workspace, route: Route
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    key = f"{route.method} {route.path}"

    async def handle(request: web.Request) -> web.StreamResponse:
        response = await _serve(workspace, route, request)
        workspace.stats.count_request(key, response.status)
        return response

    return handle


async def _serve(workspace: Workspace, route: Route, request: web.Request) -> web.StreamResponse:
    try:
        if route.faults:
            plan = workspace.faults.plan
            if plan.latency_ms:
                await asyncio.sleep(plan.latency_ms / 1000)
            kind = workspace.faults.draw(("http_429", "http_503", "reset"))
            if kind is not None:
                return _fault_response(workspace, request, kind)
        caller = _authenticate(workspace, request, route)
        body = await _body(request)
        call = Call(
            method=request.method,
            path=request.path,
            match=dict(request.match_info),
            query={key: request.query[key] for key in request.query},
            body=body.json,
            caller=caller,
            base_url=f"{request.scheme}://{request.host}",
            headers=dict(request.headers),
            form=body.form,
            raw=body.raw,
            files=body.files,
        )
        result = route.handler(call)
        if inspect.isawaitable(result):
            result = await result
        if isinstance(result, RawReply) and request.method == "HEAD":
            response = web.Response(status=result.status, headers=dict(result.headers))
            response.content_type = result.content_type
            return response
        if isinstance(result, RawReply):
            return web.Response(
                status=result.status,
                body=result.body,
                content_type=result.content_type,
                headers=dict(result.headers),
            )
        return _json(200, result)
    except ApiError as error:
        return _error(error)
    except Exception:
        _LOG.exception("emulated workspace failed on %s %s", request.method, request.path)
        return _json(500, {"error_code": "INTERNAL_ERROR", "message": "Internal error."})


@web.middleware
async def _unknown_routes(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return _json(
            404,
            {
                "error_code": "ENDPOINT_NOT_FOUND",
                "message": f"No API found for '{request.method} {request.path}'",
            },
        )
    except web.HTTPMethodNotAllowed:
        return _json(
            405,
            {
                "error_code": "METHOD_NOT_ALLOWED",
                "message": f"{request.method} is not allowed on {request.path}",
            },
        )


def build_app(workspace: Workspace) -> web.Application:
    """The aiohttp application serving ``workspace``."""
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[_unknown_routes])
    for route in workspace.routes():
        app.router.add_route(route.method, route.path, _handler(workspace, route))
    return app
