"""Identity: headers trusted only in their mode, dev from loopback only, OBO cross-checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from dependency_injector import providers

from appkit_domain.errors import Unauthenticated
from appkit_domain.principal import Principal
from appkit_testing.memory_app import memory_container
from tests.web.conftest import ALICE, BOB, make_settings, open_client

FORGED = [
    {"X-Forwarded-Email": BOB},
    {"X-Forwarded-User": "bob"},
    {"X-Forwarded-Preferred-Username": "bob"},
    {"X-Forwarded-Access-Token": "eyJhbGciOi.eyJzdWIiOi.sig"},
    {"x-forwarded-email": ""},
]


@pytest.mark.parametrize("headers", FORGED)
async def test_identity_headers_are_refused_outside_dev_and_databricks_apps_modes(
    tmp_path: Path, headers: dict[str, str]
):
    container = memory_container(make_settings(tmp_path, APPKIT_IDENTITY="none"))
    async for api in open_client(container):
        for path in ("/api/me", "/api/approvals", "/api/health"):
            response = await api.get(path, headers=headers)
            assert response.status_code == 401
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["code"] == "untrusted_identity_headers"


async def test_without_identity_a_protected_route_answers_401_problem(tmp_path: Path):
    container = memory_container(make_settings(tmp_path, APPKIT_IDENTITY="none"))
    async for api in open_client(container):
        response = await api.get("/api/me")
        assert response.status_code == 401
        body = response.json()
        assert set(body) >= {"type", "title", "status", "detail", "code"}
        assert (await api.get("/api/health")).status_code == 200


@pytest.mark.parametrize("peer", ["10.0.0.7", "192.168.1.20", "8.8.8.8", "::ffff:10.0.0.1"])
async def test_dev_identity_headers_are_refused_from_a_non_loopback_client(
    tmp_path: Path, peer: str
):
    container = memory_container(make_settings(tmp_path))
    async for api in open_client(container, client_addr=(peer, 40000)):
        response = await api.get("/api/me", user=ALICE)
        assert response.status_code == 401
        assert response.json()["code"] == "untrusted_identity_headers"


async def test_forwarded_for_does_not_make_a_remote_client_loopback(tmp_path: Path):
    container = memory_container(make_settings(tmp_path))
    async for api in open_client(container, client_addr=("10.0.0.7", 40000)):
        response = await api.get(
            "/api/me", user=ALICE, headers={"X-Forwarded-For": "127.0.0.1", "X-Real-Ip": "::1"}
        )
        assert response.status_code == 401


async def test_dev_identity_labels_principals_dev(tmp_path: Path):
    container = memory_container(make_settings(tmp_path))
    async for api in open_client(container):
        body = (await api.get("/api/me", user=ALICE)).json()
        assert body["id"] == "dev:alice@example.com"
        assert body["identity_mode"] == "dev"
        assert body["groups"] == ["data-stewards"] and body["roles"] == ["maker"]


async def test_dev_identity_refuses_an_unknown_user(tmp_path: Path):
    container = memory_container(make_settings(tmp_path))
    async for api in open_client(container):
        response = await api.get("/api/me", user="mallory@example.com")
        assert response.status_code == 401


class ScimMe:
    """SCIM Me as the Databricks adapters answer it: token -> principal; counts calls."""

    def __init__(self, tokens: dict[str, Principal]) -> None:
        self.tokens = tokens
        self.calls = 0

    async def __call__(self, token: str) -> Principal:
        self.calls += 1
        try:
            return self.tokens[token]
        except KeyError:
            raise Unauthenticated("invalid token") from None


def apps_container(tmp_path: Path, me: ScimMe):
    container = memory_container(make_settings(tmp_path, APPKIT_IDENTITY="databricks-apps"))
    container.backend.me_lookup.override(providers.Object(me))
    return container


BOB_PRINCIPAL = Principal("bob@example.com", "bob@example.com", "Bob", groups={"risk-approvers"})


async def test_apps_mode_cross_checks_the_email_with_scim_me_and_caches_it(tmp_path: Path):
    me = ScimMe({"tok-bob": BOB_PRINCIPAL})
    async for api in open_client(apps_container(tmp_path, me), client_addr=("10.1.2.3", 1)):
        headers = {"X-Forwarded-Email": BOB, "X-Forwarded-Access-Token": "tok-bob"}
        for _ in range(3):
            response = await api.get("/api/me", headers=headers)
            assert response.status_code == 200
            assert response.json()["roles"] == ["approver"]
        assert me.calls == 1


async def test_apps_mode_refuses_an_email_that_is_not_the_tokens_owner(tmp_path: Path):
    me = ScimMe({"tok-bob": BOB_PRINCIPAL})
    async for api in open_client(apps_container(tmp_path, me), client_addr=("10.1.2.3", 1)):
        headers = {"X-Forwarded-Email": ALICE, "X-Forwarded-Access-Token": "tok-bob"}
        response = await api.get("/api/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "identity_mismatch"


async def test_apps_mode_refuses_an_invalid_token(tmp_path: Path):
    me = ScimMe({})
    async for api in open_client(apps_container(tmp_path, me), client_addr=("10.1.2.3", 1)):
        headers = {"X-Forwarded-Email": BOB, "X-Forwarded-Access-Token": "stolen"}
        assert (await api.get("/api/me", headers=headers)).status_code == 401


async def test_apps_mode_without_token_uses_the_directory(tmp_path: Path):
    async for api in open_client(apps_container(tmp_path, ScimMe({})), ("10.1.2.3", 1)):
        response = await api.get("/api/me", headers={"X-Forwarded-Email": BOB})
        assert response.status_code == 200
        assert response.json()["id"] == "bob@example.com"


async def test_the_access_token_never_reaches_the_audit_log_or_response(tmp_path: Path):
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJl"
    me = ScimMe({token: BOB_PRINCIPAL})
    container = apps_container(tmp_path, me)
    async for api in open_client(container, client_addr=("10.1.2.3", 1)):
        headers = {"X-Forwarded-Email": BOB, "X-Forwarded-Access-Token": token}
        response = await api.get("/api/me", headers=headers)
        assert token not in response.text
    rows = container.backend.audit_store().rows
    assert all(token not in repr(event) for event in rows)


async def test_prod_profile_refuses_to_start_in_dev_mode(tmp_path: Path):
    from appkit_web.settings import SettingsError

    with pytest.raises(SettingsError, match="APPKIT_IDENTITY"):
        make_settings(tmp_path, APP_ENV="prod", APPKIT_IDENTITY="dev")
