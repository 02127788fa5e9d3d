"""Health, request ids, problem+json, rate limit, landing page, docs, shutdown."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from dependency_injector import providers

from appkit_adapters.resilience.breaker import CircuitBreaker
from appkit_adapters.resilience.timing import VirtualTime
from appkit_domain.errors import Unavailable
from appkit_testing.fakes import InMemoryAuditStore
from appkit_testing.memory_app import memory_container
from appkit_web.app import create_app
from appkit_web.middleware.request_id import RequestIdMiddleware
from tests.web.conftest import ALICE, DAVE, Api, make_settings, open_client


async def test_health_answers_ok_without_identity(api: Api):
    response = await api.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_the_proxys_request_id_is_echoed(api: Api):
    response = await api.get("/api/health", headers={"X-Request-Id": "req-123"})
    assert response.headers["x-request-id"] == "req-123"


async def test_a_malformed_request_id_is_replaced(api: Api):
    response = await api.get("/api/health", headers={"X-Request-Id": "bad id\twith spaces"})
    assert response.headers["x-request-id"] != "bad id\twith spaces"
    assert len(response.headers["x-request-id"]) == 32


async def test_unknown_route_is_a_problem_not_html(api: Api):
    response = await api.get("/api/nothing-here", ALICE)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


async def test_malformed_json_is_422_problem(api: Api):
    response = await api.post(
        "/api/sql/query", ALICE, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_clients_cannot_send_unknown_fields(api: Api):
    response = await api.post(
        "/api/sql/query", ALICE, json={"statement": "SELECT 1", "run_as": "admin"}
    )
    assert response.status_code == 422


async def test_per_user_rate_limit_answers_429_with_retry_after(tmp_path: Path):
    settings = make_settings(
        tmp_path, APPKIT_USER_RATE_LIMIT_PER_SECOND="1", APPKIT_USER_RATE_LIMIT_BURST="3"
    )
    container = memory_container(settings)
    container.timer.override(providers.Object(VirtualTime()))
    async for api in open_client(container):
        statuses = [(await api.get("/api/me", ALICE)).status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 429, 429]
        limited = await api.get("/api/me", ALICE)
        assert limited.headers["retry-after"] == "1"
        assert limited.json()["code"] == "rate_limited"
        # another user has their own bucket; health is never limited
        assert (await api.get("/api/me", DAVE)).status_code == 200
        assert (await api.get("/api/health")).status_code == 200


async def test_landing_page_says_what_the_app_does_and_links_the_docs(api: Api):
    response = await api.get("/")
    assert response.status_code == 200
    assert "maker-checker" in response.text and 'href="/docs"' in response.text
    assert (await api.get("/docs")).status_code == 200
    schema = (await api.get("/openapi.json")).json()
    assert "/api/approvals/{approval_id}/approve" in schema["paths"]


async def test_ready_reports_an_open_breaker_as_503(tmp_path: Path):
    timer = VirtualTime()
    breaker = CircuitBreaker("warehouse", timer, failure_threshold=1, open_timeout=30)
    breaker.record_failure()
    container = memory_container(make_settings(tmp_path))
    container.backend.breakers.override(providers.List(providers.Object(breaker)))
    async for api in open_client(container):
        response = await api.get("/api/ready")
        assert response.status_code == 503
        assert response.json()["checks"]["breaker:warehouse"] == "open"


class DownWarehouse:
    async def execute(self, statement, parameters=None, *, row_limit=None, idempotent=False):
        raise Unavailable("warehouse stopped")


async def test_ready_is_503_when_the_warehouse_does_not_answer(tmp_path: Path):
    container = memory_container(make_settings(tmp_path))
    container.backend.warehouse.override(providers.Object(DownWarehouse()))
    async for api in open_client(container):
        response = await api.get("/api/ready")
        assert response.status_code == 503
        assert response.json()["checks"]["warehouse"] == "failed: Unavailable"


async def test_creating_the_app_builds_nothing_until_it_serves(tmp_path: Path):
    built: list[InMemoryAuditStore] = []

    def audit_store() -> InMemoryAuditStore:
        built.append(InMemoryAuditStore())
        return built[-1]

    container = memory_container(make_settings(tmp_path))
    container.backend.audit_store.override(providers.Singleton(audit_store))
    app = create_app(container)
    assert built == []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            headers = {"X-Forwarded-Email": "auditor@example.com"}
            assert (await client.get("/api/audit/verify", headers=headers)).status_code == 200
    assert len(built) == 1


async def test_shutdown_completes_within_the_apps_limit(tmp_path: Path):
    container = memory_container(make_settings(tmp_path))
    app = create_app(container)
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with app.router.lifespan_context(app):
        pass
    assert loop.time() - started < 15


def test_the_middleware_is_pure_asgi():
    from starlette.middleware.base import BaseHTTPMiddleware

    app = create_app(memory_container(make_settings(Path("/nonexistent"))))
    for middleware in app.user_middleware:
        assert not issubclass(middleware.cls, BaseHTTPMiddleware)
    assert any(m.cls is RequestIdMiddleware for m in app.user_middleware)
