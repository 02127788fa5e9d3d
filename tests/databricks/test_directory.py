"""SCIM directory: the identity behind a token, cached by token hash; principals and groups."""

from __future__ import annotations

import pytest
from aiohttp import web

from appkit_adapters.databricks.directory import ScimDirectory
from appkit_adapters.databricks.http import DatabricksHttp
from appkit_adapters.resilience import VirtualTime
from appkit_domain.errors import InvalidInput, NotFound, PermissionDenied
from appkit_domain.principal import PrincipalKind

from .conftest import FakeServer

SCIM = "/api/2.0/preview/scim/v2"
ALICE = {
    "id": "1001",
    "userName": "alice@example.com",
    "displayName": "Alice A.",
    "emails": [{"value": "alice@example.com", "primary": True}],
    "groups": [{"display": "analysts", "value": "g1"}, {"display": "approvers", "value": "g2"}],
}
SP = {"id": "2002", "applicationId": "app-123", "displayName": "gov-app", "groups": []}


async def me(request: web.Request) -> web.Response:
    if request.headers["Authorization"] != "Bearer alice-token":
        return web.json_response(
            {"error_code": 403, "message": "Invalid access token."}, status=403
        )
    return web.json_response(ALICE)


async def test_me_resolves_the_token_owner_with_groups(
    server: FakeServer, http: DatabricksHttp
) -> None:
    server.route("GET", f"{SCIM}/Me", me)
    principal = await ScimDirectory(http).me("alice-token")
    assert principal.id == "1001"
    assert principal.email == "alice@example.com"
    assert principal.display_name == "Alice A."
    assert principal.groups == frozenset({"analysts", "approvers"})
    assert server.seen[0].headers["Authorization"] == "Bearer alice-token"


async def test_me_is_cached_until_the_ttl_passes(
    server: FakeServer, http: DatabricksHttp, virtual_time: VirtualTime
) -> None:
    server.route("GET", f"{SCIM}/Me", me)
    directory = ScimDirectory(http, ttl=60)
    await directory.me("alice-token")
    await directory.me("alice-token")
    assert len(server.seen) == 1
    virtual_time.advance(60)
    await directory.me("alice-token")
    assert len(server.seen) == 2


async def test_a_refused_token_is_not_cached(server: FakeServer, http: DatabricksHttp) -> None:
    server.route("GET", f"{SCIM}/Me", me)
    directory = ScimDirectory(http)
    for _ in range(2):
        with pytest.raises(PermissionDenied) as raised:
            await directory.me("stolen-token")
        assert "stolen-token" not in str(raised.value)
    assert len(server.seen) == 2


async def test_find_by_user_name_then_id_then_application_id(
    server: FakeServer, http: DatabricksHttp
) -> None:
    async def users(request: web.Request) -> web.Response:
        found = [ALICE] if request.query["filter"] == 'userName eq "alice@example.com"' else []
        return web.json_response({"Resources": found, "totalResults": len(found)})

    async def user(request: web.Request) -> web.Response:
        if request.path.endswith("/1001"):
            return web.json_response(ALICE)
        return web.json_response({"error_code": "RESOURCE_DOES_NOT_EXIST"}, status=404)

    async def sps(request: web.Request) -> web.Response:
        found = [SP] if request.query["filter"] == 'applicationId eq "app-123"' else []
        return web.json_response({"Resources": found})

    server.route("GET", f"{SCIM}/Users", users)
    server.route_prefix("GET", f"{SCIM}/Users/", user)
    server.route("GET", f"{SCIM}/ServicePrincipals", sps)
    directory = ScimDirectory(http)
    assert (await directory.find("alice@example.com")).id == "1001"
    assert (await directory.find("1001")).email == "alice@example.com"
    sp = await directory.find("app-123")
    assert sp.kind is PrincipalKind.SERVICE_PRINCIPAL
    assert sp.email == "app-123"
    with pytest.raises(NotFound):
        await directory.find("nobody@example.com")


async def test_groups_of_reads_the_principal_fresh(
    server: FakeServer, http: DatabricksHttp
) -> None:
    async def user(request: web.Request) -> web.Response:
        return web.json_response(ALICE)

    server.route("GET", f"{SCIM}/Users/1001", user)
    directory = ScimDirectory(http)
    assert await directory.groups_of("1001") == frozenset({"analysts", "approvers"})
    await directory.groups_of("1001")
    assert len(server.seen) == 2


async def test_a_directory_key_with_quotes_is_refused(http: DatabricksHttp) -> None:
    with pytest.raises(InvalidInput):
        await ScimDirectory(http).find('x" or userName eq "admin')
