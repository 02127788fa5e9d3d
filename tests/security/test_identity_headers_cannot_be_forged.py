"""Identity cannot be forged: duplicated or case-varied headers, spoofed loopback, OBO mismatch,
email case variants of one person."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from dependency_injector import providers

from appkit_domain.errors import Unauthenticated
from appkit_domain.principal import Principal
from appkit_testing.memory_app import memory_container
from appkit_web.app import create_app
from appkit_web.identity import ConfiguredDirectory
from appkit_web.sample.governance import demo_principals
from tests.web.conftest import ALICE, BOB, make_settings

EVE = Principal(
    "u-4711", "eve@example.com", "Eve", groups={"data-stewards", "risk-approvers"}
)  # a maker who is also a checker: only the self-approval rule stops her


class ScimMe:
    def __init__(self, tokens: dict[str, Principal]) -> None:
        self.tokens = tokens

    async def __call__(self, token: str) -> Principal:
        try:
            return self.tokens[token]
        except KeyError:
            raise Unauthenticated("invalid token") from None


async def call(
    container,
    headers: list[tuple[str, str]],
    client=("127.0.0.1", 5000),
    path="/api/me",
    method="GET",
    json=None,
) -> httpx.Response:
    app = create_app(container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return await http.request(method, path, headers=headers, json=json)


def dev(tmp_path: Path):
    return memory_container(make_settings(tmp_path))


def apps(tmp_path: Path, tokens: dict[str, Principal] | None = None):
    container = memory_container(make_settings(tmp_path, APPKIT_IDENTITY="databricks-apps"))
    if tokens is not None:
        container.backend.me_lookup.override(providers.Object(ScimMe(tokens)))
    return container


@pytest.mark.parametrize("mode", ["dev", "apps"])
@pytest.mark.parametrize("name", ["X-Forwarded-Email", "x-forwarded-email"])
async def test_conflicting_duplicate_identity_headers_are_refused(tmp_path: Path, mode, name):
    container = dev(tmp_path) if mode == "dev" else apps(tmp_path)
    for first, second in ((ALICE, BOB), (BOB, ALICE)):
        response = await call(container, [("X-Forwarded-Email", first), (name, second)])
        assert response.status_code == 401, response.text
        assert response.headers["content-type"] == "application/problem+json"


async def test_a_repeated_identical_identity_header_is_one_identity(tmp_path: Path):
    response = await call(dev(tmp_path), [("X-Forwarded-Email", BOB), ("x-forwarded-email", BOB)])
    assert response.status_code == 200
    assert response.json()["id"] == "dev:bob@example.com"


async def test_conflicting_duplicate_access_tokens_are_refused(tmp_path: Path):
    bob = Principal("bob@example.com", "bob@example.com", "Bob")
    container = apps(tmp_path, {"tok-bob": bob, "tok-alice": Principal(ALICE, ALICE)})
    headers = [
        ("X-Forwarded-Email", BOB),
        ("X-Forwarded-Access-Token", "tok-bob"),
        ("X-Forwarded-Access-Token", "tok-alice"),
    ]
    response = await call(container, headers, client=("10.0.0.1", 1))
    assert response.status_code == 401
    assert response.json()["code"] == "conflicting_identity_headers"
    assert "tok-bob" not in response.text and "tok-alice" not in response.text


@pytest.mark.parametrize(
    "spoof",
    [
        [("X-Forwarded-For", "127.0.0.1")],
        [("X-Real-Ip", "127.0.0.1")],
        [("Forwarded", "for=127.0.0.1")],
        [("X-Forwarded-Host", "localhost"), ("Host", "localhost")],
    ],
)
@pytest.mark.parametrize("peer", ["203.0.113.9", "::ffff:127.0.0.1", "0.0.0.0"])
async def test_dev_identity_is_refused_to_a_public_peer_whatever_it_forwards(
    tmp_path: Path, spoof, peer
):
    headers = [("X-Forwarded-Email", ALICE), *spoof]
    response = await call(dev(tmp_path), headers, client=(peer, 443))
    assert response.status_code == 401
    assert response.json()["code"] == "untrusted_identity_headers"


@pytest.mark.parametrize(
    "name", ["X-FORWARDED-EMAIL", "X-Forwarded-User", "x-forwarded-access-token"]
)
async def test_none_mode_refuses_identity_headers_in_any_case(tmp_path: Path, name: str):
    container = memory_container(make_settings(tmp_path, APPKIT_IDENTITY="none"))
    response = await call(container, [(name, BOB)])
    assert response.status_code == 401


@pytest.mark.parametrize(
    "variant", ["ALICE@EXAMPLE.COM", "Alice@Example.com", " alice@example.com "]
)
async def test_email_case_variants_resolve_to_one_principal_id(tmp_path: Path, variant: str):
    response = await call(dev(tmp_path), [("X-Forwarded-Email", variant)])
    assert response.status_code == 200
    assert response.json()["id"] == "dev:alice@example.com"


async def test_obo_token_of_another_user_is_refused_whatever_the_email_case(tmp_path: Path):
    container = apps(tmp_path, {"tok-eve": EVE})
    response = await call(
        container,
        [("X-Forwarded-Email", "BOB@example.com"), ("X-Forwarded-Access-Token", "tok-eve")],
        client=("10.0.0.1", 1),
    )
    assert response.status_code == 401
    assert response.json()["code"] == "identity_mismatch"


async def test_a_maker_cannot_approve_their_own_request_under_an_email_case_variant(tmp_path):
    container = apps(tmp_path, {"tok-1": EVE, "tok-2": EVE})
    people = ConfiguredDirectory([*demo_principals(), EVE])
    container.backend.directory.override(providers.Object(people))
    body = {
        "entity": "ACME",
        "metric": "var_99",
        "period": "2026-Q3",
        "value": "1300000",
        "justification": "late trade",
    }
    app = create_app(container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            made = await http.post(
                "/api/overrides",
                json=body,
                headers={
                    "X-Forwarded-Email": "eve@example.com",
                    "X-Forwarded-Access-Token": "tok-1",
                },
            )
            assert made.status_code == 201, made.text
            approval_id = made.json()["approval_id"]
            own = await http.post(
                f"/api/approvals/{approval_id}/approve",
                json={},
                headers={
                    "X-Forwarded-Email": "EVE@Example.COM",
                    "X-Forwarded-Access-Token": "tok-2",
                },
            )
    assert own.status_code == 403, own.text
    assert own.json()["code"] == "self_approval"


def test_prod_profile_refuses_dev_identity_even_when_asked_in_another_case(tmp_path: Path):
    from appkit_web.settings import SettingsError

    for value in ("dev", "DEV", " Dev "):
        with pytest.raises(SettingsError):
            make_settings(tmp_path, APP_ENV="prod", APPKIT_IDENTITY=value)
