"""In-test aiohttp servers standing in for a workspace, one handler table per test."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from appkit_adapters.databricks.credentials import BearerToken
from appkit_adapters.databricks.http import DatabricksHttp
from appkit_adapters.resilience import ResiliencePipeline, ResiliencePolicy, VirtualTime

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

TOKEN = "dapi0123456789abcdef0123456789abcdef"

FAST_POLICY = ResiliencePolicy(
    retry_max_attempts=4,
    retry_initial_delay=0.5,
    retry_max_delay=4.0,
    retry_after_cap=30.0,
    rate_limit_requests_per_second=None,
    circuit_breaker_failure_threshold=50,
    circuit_breaker_timeout=5.0,
    request_timeout=None,
    deadline=600.0,
)


@dataclass
class FakeServer:
    """Routes ``(METHOD, path)`` to handlers and remembers every request it saw."""

    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    prefixes: list[tuple[str, str, Handler]] = field(default_factory=list)
    seen: list[web.Request] = field(default_factory=list)
    url: str = ""

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def route_prefix(self, method: str, prefix: str, handler: Handler) -> None:
        self.prefixes.append((method, prefix, handler))

    def paths(self, method: str | None = None) -> list[str]:
        return [r.path_qs for r in self.seen if method is None or r.method == method]

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(request)
        handler = self.routes.get((request.method, request.path))
        if handler is None:
            for method, prefix, candidate in self.prefixes:
                if method == request.method and request.path.startswith(prefix):
                    handler = candidate
                    break
        if handler is None:
            return web.json_response(
                {"error_code": "ENDPOINT_NOT_FOUND", "message": request.path}, status=404
            )
        return await handler(request)


@pytest.fixture
async def server() -> AsyncIterator[FakeServer]:
    fake = FakeServer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.dispatch)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()


@pytest.fixture
def virtual_time() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
async def http(server: FakeServer, virtual_time: VirtualTime) -> AsyncIterator[DatabricksHttp]:
    pipeline = ResiliencePipeline(FAST_POLICY, timer=virtual_time, rng=random.Random(11))
    client = DatabricksHttp(server.url, BearerToken(TOKEN), pipeline=pipeline)
    await client.start()
    yield client
    await client.close()
