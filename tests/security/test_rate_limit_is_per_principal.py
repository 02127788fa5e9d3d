"""The per-principal rate limit: 429 problem+json with Retry-After, one bucket per principal
(whatever the email case), and callers without identity cannot drain a user's bucket."""

from __future__ import annotations

from pathlib import Path

from appkit_testing.memory_app import memory_container
from tests.web.conftest import ALICE, BOB, make_settings, open_client


def limited(tmp_path: Path, **values: str):
    settings = make_settings(
        tmp_path,
        APPKIT_USER_RATE_LIMIT_PER_SECOND="0.001",
        APPKIT_USER_RATE_LIMIT_BURST="3",
        **values,
    )
    return memory_container(settings)


async def test_a_principal_past_its_burst_gets_429_with_retry_after(tmp_path: Path):
    async for api in open_client(limited(tmp_path)):
        statuses = [(await api.get("/api/me", ALICE)).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        refused = await api.get("/api/me", ALICE)
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["code"] == "rate_limited"
        assert (await api.get("/api/me", BOB)).status_code == 200


async def test_email_case_variants_share_one_bucket(tmp_path: Path):
    async for api in open_client(limited(tmp_path)):
        for variant in ("alice@example.com", "ALICE@example.com", "Alice@Example.Com"):
            assert (await api.get("/api/me", variant)).status_code == 200
        assert (await api.get("/api/me", "aLiCe@EXAMPLE.com")).status_code == 429


async def test_requests_without_identity_cannot_drain_a_users_bucket(tmp_path: Path):
    async for api in open_client(limited(tmp_path)):
        for _ in range(10):  # same client address, no identity
            await api.get("/api/approvals")
        assert (await api.get("/api/approvals")).status_code == 429
        assert (await api.get("/api/me", ALICE)).status_code == 200


async def test_refused_identities_cannot_drain_a_users_bucket(tmp_path: Path):
    async for api in open_client(limited(tmp_path)):
        for _ in range(10):
            forged = await api.get("/api/me", "mallory@example.com")
            assert forged.status_code == 401
        assert (await api.get("/api/me", ALICE)).status_code == 200


async def test_health_and_readiness_are_not_rate_limited(tmp_path: Path):
    async for api in open_client(limited(tmp_path)):
        for _ in range(10):
            assert (await api.get("/api/health")).status_code == 200


async def test_readiness_which_runs_a_warehouse_statement_is_rate_limited(tmp_path: Path):
    async for api in open_client(limited(tmp_path)):
        statuses = [(await api.get("/api/ready")).status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200]
        assert statuses[3:] == [429, 429]
