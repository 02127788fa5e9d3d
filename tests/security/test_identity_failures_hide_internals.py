"""A failure inside identity resolution (SCIM ``Me`` erroring) answers problem+json and says
nothing about the internals, like every other 500."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from dependency_injector import providers

from appkit_domain.errors import AppkitError, Unavailable
from appkit_domain.principal import Principal
from appkit_testing.memory_app import memory_container
from appkit_web.app import create_app
from tests.web.conftest import BOB, make_settings

INTERNAL = "scim call to https://adb-123.azuredatabricks.net/api/2.0/preview/scim/v2/Me failed"


def failing_me(error: Exception):
    async def me(_token: str) -> Principal:
        raise error

    return me


async def me_with(tmp_path: Path, error: Exception) -> httpx.Response:
    container = memory_container(make_settings(tmp_path, APPKIT_IDENTITY="databricks-apps"))
    container.backend.me_lookup.override(providers.Object(failing_me(error)))
    app = create_app(container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 1), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return await http.get(
                "/api/me", headers={"X-Forwarded-Email": BOB, "X-Forwarded-Access-Token": "t-1"}
            )


@pytest.mark.parametrize("error", [AppkitError(INTERNAL), RuntimeError(INTERNAL)])
async def test_an_internal_identity_failure_is_a_500_problem_without_internals(
    tmp_path: Path, error: Exception
):
    response = await me_with(tmp_path, error)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "scim" not in response.text.lower() and "azuredatabricks" not in response.text


async def test_an_unavailable_directory_is_a_503_problem(tmp_path: Path):
    response = await me_with(tmp_path, Unavailable("the workspace is not answering"))
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
