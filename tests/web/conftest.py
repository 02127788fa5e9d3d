"""A governed app on the memory backend, driven over HTTP in-process (httpx ASGITransport)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from fastapi import FastAPI

from appkit_testing.fakes import ControllableClock, SequentialIds
from appkit_testing.memory_app import memory_container
from appkit_web.app import build_services, create_app
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


@pytest.fixture(scope="session")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> tuple[GovernedAppContainer, FastAPI]:
    """One app for the whole session (building a FastAPI app costs ~0.3 s); each test
    gets a fresh demo world by resetting the container's singletons."""
    settings = make_settings(
        tmp_path_factory.mktemp("config"),
        APPKIT_USER_RATE_LIMIT_PER_SECOND="100000",
        APPKIT_USER_RATE_LIMIT_BURST="100000",
    )
    container = memory_container(settings)
    return container, create_app(container)


@pytest.fixture
def container(
    shared_app: tuple[GovernedAppContainer, FastAPI], clock: ControllableClock
) -> Iterator[GovernedAppContainer]:
    container = shared_app[0]
    container.reset_singletons()
    container.clock.override(providers.Object(clock))
    container.ids.override(providers.Singleton(SequentialIds))
    build_services(container)
    yield container
    container.clock.reset_override()
    container.ids.reset_override()


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
async def api(
    shared_app: tuple[GovernedAppContainer, FastAPI], container: GovernedAppContainer
) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(app=shared_app[1], client=LOOPBACK)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Api(http)
