"""One governed app on the databricks backend per test module, against the session's emulator.

The emulator is reset once per module, the demo users are added to it with
their groups and tokens, and the app's requests carry the Apps proxy headers
(``X-Forwarded-Email`` plus the user's ``X-Forwarded-Access-Token``).
Tests in a module share that world: each names its own objects. A module
using ``platform_api`` sets ``pytestmark = pytest.mark.asyncio(loop_scope="module")``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from appkit_testing.workspace import EmulatedWorkspace
from appkit_web.app import create_app
from appkit_web.containers import GovernedAppContainer
from appkit_web.databricks_backend import databricks_container
from tests.web.conftest import ALICE, AUDITOR, BOB, CAROL, DAVE, make_settings

GROUPS = {
    ALICE: ("data-stewards",),
    BOB: ("risk-approvers",),
    CAROL: ("risk-approvers",),
    DAVE: (),
    AUDITOR: ("auditors",),
}


@dataclass
class World:
    emulator: EmulatedWorkspace
    tokens: dict[str, str]

    def headers(self, user: str | None) -> dict[str, str]:
        if user is None:
            return {}
        return {"X-Forwarded-Email": user, "X-Forwarded-Access-Token": self.tokens[user]}

    @property
    def admin(self) -> Any:
        """A databricks-sdk client as the workspace admin (test setup)."""
        return self.emulator.client()


@pytest.fixture(scope="module")
def world(fake_workspace_server: EmulatedWorkspace) -> World:
    fake_workspace_server.reset()
    tokens = {
        user: fake_workspace_server.add_principal(user, groups=groups)["token"]
        for user, groups in GROUPS.items()
    }
    return World(fake_workspace_server, tokens)


def platform_settings(tmp: Path, world: World, **values: str) -> Any:
    return make_settings(
        tmp,
        APPKIT_BACKEND="databricks",
        APPKIT_IDENTITY="databricks-apps",
        DATABRICKS_HOST=world.emulator.host,
        DATABRICKS_TOKEN=world.emulator.admin_token,
        DATABRICKS_WAREHOUSE_ID=world.emulator.warehouse_id,
        RETRY_MAX_ATTEMPTS="2",
        APPKIT_DEMO="1",
        APPKIT_USER_RATE_LIMIT_PER_SECOND="100000",
        APPKIT_USER_RATE_LIMIT_BURST="100000",
        **values,
    )


@pytest.fixture(scope="module")
def platform_container(
    world: World, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GovernedAppContainer]:
    settings = platform_settings(
        tmp_path_factory.mktemp("platform"),
        world,
        APPKIT_PLATFORM_RATE_LIMIT_PER_SECOND="100000",
        APPKIT_PLATFORM_RATE_LIMIT_BURST="100000",
    )
    yield databricks_container(settings)


class PlatformApi:
    """Calls the app as a demo user, with the headers the Apps proxy would send."""

    def __init__(self, client: httpx.AsyncClient, world: World) -> None:
        self.client = client
        self.world = world

    async def call(
        self, method: str, path: str, user: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {**self.world.headers(user), **(kwargs.pop("headers", None) or {})}
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def get(self, path: str, user: str | None = None, **kwargs: Any) -> httpx.Response:
        return await self.call("GET", path, user, **kwargs)

    async def post(self, path: str, user: str | None = None, **kwargs: Any) -> httpx.Response:
        return await self.call("POST", path, user, **kwargs)

    async def audit(self, action: str) -> list[dict[str, Any]]:
        response = await self.get("/api/audit/events", AUDITOR, params={"action": action})
        assert response.status_code == 200, response.text
        return list(response.json()["items"])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def platform_api(
    platform_container: GovernedAppContainer, world: World
) -> AsyncIterator[PlatformApi]:
    app = create_app(platform_container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("10.0.0.9", 443))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield PlatformApi(http, world)
