"""A governed app on the memory backend, driven over HTTP in-process (httpx ASGITransport)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from dependency_injector import providers

from appkit_testing.fakes import ControllableClock, SequentialIds
from appkit_testing.memory_app import memory_container
from appkit_web.app import create_app
from appkit_web.containers import GovernedAppContainer
from appkit_web.settings import Settings, load_settings

LOOPBACK = ("127.0.0.1", 50000)

ALICE, BOB, CAROL, DAVE, AUDITOR = (
    f"{name}@example.com" for name in ("alice", "bob", "carol", "dave", "auditor")
)
DEMO_USERS = (ALICE, BOB, CAROL, DAVE, AUDITOR)


def make_settings(tmp_path: Path, **values: str) -> Settings:
    environ = {"APP_ENV": "test", "APPKIT_BACKEND": "memory", "APPKIT_IDENTITY": "dev"}
    environ.update(values)
    return load_settings(environ, env_file_dir=tmp_path)


@pytest.fixture
def clock() -> ControllableClock:
    return ControllableClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, RATE_LIMIT_REQUESTS_PER_SECOND="1000", RATE_LIMIT_BURST="1000")


@pytest.fixture
def container(settings: Settings, clock: ControllableClock) -> GovernedAppContainer:
    container = memory_container(settings)
    container.clock.override(providers.Object(clock))
    container.ids.override(providers.Singleton(SequentialIds))
    return container


class Api:
    """An HTTP client that signs requests as one of the demo users (dev identity headers)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def call(
        self, method: str, path: str, user: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if user is not None:
            headers["X-Forwarded-Email"] = user
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def get(self, path: str, user: str | None = None, **kwargs: Any) -> httpx.Response:
        return await self.call("GET", path, user, **kwargs)

    async def post(self, path: str, user: str | None = None, **kwargs: Any) -> httpx.Response:
        return await self.call("POST", path, user, **kwargs)


AppClient = Callable[..., Any]


async def open_client(
    container: GovernedAppContainer, client_addr: tuple[str, int] = LOOPBACK
) -> AsyncIterator[Api]:
    app = create_app(container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=client_addr)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield Api(http)


@pytest.fixture
async def api(container: GovernedAppContainer) -> AsyncIterator[Api]:
    async for client in open_client(container):
        yield client
