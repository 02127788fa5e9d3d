"""Object-level checks with a second maker in the world (BOLA), and governance fields that no
POST body may set (mass assignment)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dependency_injector import providers

from appkit_domain.principal import Principal
from appkit_testing.memory_app import memory_container
from appkit_web.identity import ConfiguredDirectory
from appkit_web.sample.governance import demo_principals
from tests.web.conftest import ALICE, BOB, Api, make_settings, open_client

MALLORY = "mallory@example.com"  # another data steward: a maker, but not Alice
GOVERNANCE_FIELDS = {
    "status": "APPROVED",
    "requested_by": "dev:bob@example.com",
    "proposed_by": "dev:bob@example.com",
    "approvers": ["dev:bob@example.com"],
    "approved_by": ["dev:bob@example.com"],
    "decisions": [],
    "created_at": "2020-01-01T00:00:00Z",
    "updated_at": "2020-01-01T00:00:00Z",
    "version": 99,
    "payload_hash": "0" * 64,
    "required_approvals": 0,
    "owner_id": "dev:bob@example.com",
    "id": "apr-forged",
}
POSTS = [
    ("/api/overrides", {"entity": "ACME", "metric": "lgd", "period": "2026-Q3",
                        "value": "0.46", "justification": "j"}),
    ("/api/writeback/changes", {"table": "demo.crm.customers", "key": {"customer_id": 4},
                                "set": {"tier": "gold"}, "reason": "r"}),
    ("/api/exceptions", {"check": "c", "table": "demo.crm.customers", "rule": "r",
                         "severity": "LOW", "failing_key": "k"}),
    ("/api/exceptions/ingest", {}),
    ("/api/sql/query", {"statement": "SELECT 1"}),
]  # fmt: skip
DECISIONS = ["approve", "reject", "withdraw"]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[Api]:
    container = memory_container(make_settings(tmp_path))
    mallory = Principal(f"dev:{MALLORY}", MALLORY, "Mallory", groups={"data-stewards"})
    people = ConfiguredDirectory([*demo_principals("dev:"), mallory])
    container.backend.directory.override(providers.Object(people))
    container.backend.dev_directory.override(providers.Object(people))
    async for api in open_client(container):
        yield api


async def alices_override(api: Api) -> dict:
    body = {"entity": "ACME", "metric": "pd", "period": "2026-Q3", "value": "0.0211",
            "justification": "j"}  # fmt: skip
    response = await api.post("/api/overrides", ALICE, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def alices_exception(api: Api, acknowledge: bool = False) -> str:
    body = {"check": "c", "table": "demo.crm.customers", "rule": "r", "severity": "LOW",
            "failing_key": "k"}  # fmt: skip
    response = await api.post("/api/exceptions", ALICE, json=body)
    assert response.status_code == 201, response.text
    exception_id = response.json()["exception"]["id"]
    if acknowledge:
        done = await api.post(f"/api/exceptions/{exception_id}/acknowledge", ALICE)
        assert done.status_code == 200, done.text
    return exception_id


async def test_another_maker_cannot_withdraw_or_decide_a_request_not_theirs(world: Api):
    approval_id = (await alices_override(world))["approval_id"]
    for action in DECISIONS:
        response = await world.post(f"/api/approvals/{approval_id}/{action}", MALLORY, json={})
        assert response.status_code == 403, (action, response.text)
    state = (await world.get(f"/api/approvals/{approval_id}", BOB)).json()
    assert state["status"] == "PENDING" and state["decisions"] == []


@pytest.mark.parametrize(
    "action,body,acknowledged",
    [
        ("acknowledge", None, False),
        ("resolve", {"resolution": "fixed"}, True),
    ],
)
async def test_another_maker_cannot_act_on_an_exception_owned_by_someone_else(
    world: Api, action: str, body: dict | None, acknowledged: bool
):
    exception_id = await alices_exception(world, acknowledge=acknowledged)
    response = await world.post(f"/api/exceptions/{exception_id}/{action}", MALLORY, json=body)
    assert response.status_code == 403, response.text


async def test_another_maker_cannot_request_a_waiver_of_an_exception_owned_by_someone_else(
    world: Api,
):
    exception_id = await alices_exception(world, acknowledge=True)
    body = {"justification": "j", "until": "2099-01-01T00:00:00Z"}
    response = await world.post(f"/api/exceptions/{exception_id}/waive", MALLORY, json=body)
    assert response.status_code == 403, response.text


@pytest.mark.parametrize("path,body", POSTS)
@pytest.mark.parametrize("field", sorted(GOVERNANCE_FIELDS))
async def test_no_post_body_may_set_a_governance_field(api: Api, path, body, field):
    response = await api.post(path, ALICE, json={**body, field: GOVERNANCE_FIELDS[field]})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("action", DECISIONS)
@pytest.mark.parametrize("field", sorted(GOVERNANCE_FIELDS))
async def test_no_decision_body_may_set_a_governance_field(api: Api, action: str, field: str):
    approval_id = (await alices_override(api))["approval_id"]
    user = ALICE if action == "withdraw" else BOB
    response = await api.post(
        f"/api/approvals/{approval_id}/{action}", user, json={field: GOVERNANCE_FIELDS[field]}
    )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("path", ["/api/audit/events", "/api/audit/verify"])
@pytest.mark.parametrize("user", [ALICE, BOB, MALLORY, "dave@example.com"])
async def test_audit_routes_answer_auditors_only_whatever_groups_a_client_claims(
    world: Api, path: str, user: str
):
    claims = {
        "X-Forwarded-Groups": "auditors",
        "X-Databricks-Groups": "auditors",
        "X-Forwarded-Roles": "auditor",
    }
    response = await world.get(path, user, headers=claims)
    assert response.status_code == 403, response.text
    assert (await world.get(path, "auditor@example.com")).status_code == 200


async def test_column_names_differing_only_by_whitespace_are_refused(api: Api) -> None:
    body = {
        "table": "demo.crm.customers",
        "key": {"customer_id": 2, "customer_id ": 3},
        "set": {"tier": "gold"},
        "reason": "ambiguous",
    }
    response = await api.post("/api/writeback/changes", ALICE, json=body)
    assert response.status_code == 422, response.text
