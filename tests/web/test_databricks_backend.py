"""The governed app on the databricks backend, against the emulated workspace.

Identity comes from the Apps proxy headers with on-behalf-of tokens checked
by SCIM Me; governed writes run as the app (the admin token); reads that
respect Unity Catalog privileges run with the user's token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from appkit_testing.workspace import EmulatedWorkspace
from appkit_web.containers import GovernedAppContainer
from appkit_web.databricks_backend import databricks_container
from tests.web.conftest import ALICE, BOB, DAVE, Api, make_settings, open_client

PEOPLE = {ALICE: ("data-stewards",), BOB: ("risk-approvers",), DAVE: ()}


@pytest.fixture
def tokens(fake_workspace: EmulatedWorkspace) -> dict[str, str]:
    return {
        email: fake_workspace.add_principal(email, groups=groups)["token"]
        for email, groups in PEOPLE.items()
    }


@pytest.fixture
def container(tmp_path: Path, fake_workspace: EmulatedWorkspace) -> GovernedAppContainer:
    settings = make_settings(
        tmp_path,
        APPKIT_BACKEND="databricks",
        APPKIT_IDENTITY="databricks-apps",
        APPKIT_DEMO="1",
        DATABRICKS_HOST=fake_workspace.host,
        DATABRICKS_TOKEN=fake_workspace.admin_token,
        DATABRICKS_WAREHOUSE_ID=fake_workspace.warehouse_id,
        RETRY_MAX_ATTEMPTS="2",
    )
    return databricks_container(settings)


GRANTS = [
    "GRANT USE CATALOG ON CATALOG demo TO `{group}`",
    "GRANT USE SCHEMA ON SCHEMA demo.crm TO `{group}`",
    "GRANT SELECT ON TABLE demo.crm.customers TO `{group}`",
]


@pytest.fixture
async def api(
    container: GovernedAppContainer, tokens: dict[str, str], fake_workspace: EmulatedWorkspace
) -> AsyncIterator[Api]:
    async for client in open_client(container, client_addr=("10.0.0.9", 443)):
        warehouse = await container.backend.warehouse()
        for group in ("data-stewards", "risk-approvers"):
            for grant in GRANTS:
                await warehouse.execute(grant.format(group=group))
        app = fake_workspace.workspace.admin_name  # the identity of the app's token
        for grant in (*GRANTS, "GRANT MODIFY ON TABLE demo.crm.customers TO `{group}`"):
            await warehouse.execute(grant.format(group=app))
        yield client


def as_user(email: str, tokens: dict[str, str]) -> dict[str, str]:
    return {"X-Forwarded-Email": email, "X-Forwarded-Access-Token": tokens[email]}


async def test_override_and_tier_change_through_the_workspace(api: Api, tokens: dict[str, str]):
    me = await api.get("/api/me", headers=as_user(ALICE, tokens))
    assert me.status_code == 200, me.text
    assert me.json()["roles"] == ["maker"]

    proposal = await api.post(
        "/api/overrides",
        headers=as_user(ALICE, tokens),
        json={"entity": "ACME", "metric": "var_99", "period": "2026-Q3", "value": "1300000",
              "justification": "late trade"},
    )  # fmt: skip
    assert proposal.status_code == 201, proposal.text
    own = await api.post(
        f"/api/approvals/{proposal.json()['approval_id']}/approve",
        headers=as_user(ALICE, tokens),
        json={},
    )
    assert own.status_code == 403
    approved = await api.post(
        f"/api/approvals/{proposal.json()['approval_id']}/approve",
        headers=as_user(BOB, tokens),
        json={},
    )
    assert approved.json()["status"] == "APPLIED"

    change = await api.post(
        "/api/writeback/changes",
        headers=as_user(ALICE, tokens),
        json={"table": "demo.crm.customers", "key": {"customer_id": 2}, "set": {"tier": "gold"},
              "reason": "review"},
    )  # fmt: skip
    assert change.status_code == 201, change.text
    approval_id = change.json()["approval_id"]
    await api.post(f"/api/approvals/{approval_id}/approve", headers=as_user(BOB, tokens), json={})
    applied = await api.post(f"/api/approvals/{approval_id}/apply", headers=as_user(BOB, tokens))
    assert applied.status_code == 200, applied.text

    rows = await api.post(
        "/api/sql/query",
        headers=as_user(ALICE, tokens),
        json={"statement": "SELECT tier, updated_by FROM demo.crm.customers WHERE customer_id = 2"},
    )
    assert rows.status_code == 200, rows.text
    assert rows.json()["rows"][0]["tier"] == "gold"


async def test_reads_run_as_the_user_and_respect_their_privileges(api: Api, tokens: dict[str, str]):
    allowed = await api.post(
        "/api/sql/query",
        headers=as_user(ALICE, tokens),
        json={"statement": "SELECT count(*) AS n FROM demo.crm.customers"},
    )
    assert allowed.status_code == 200 and allowed.json()["rows"] == [{"n": 5}]
    denied = await api.post(
        "/api/sql/query",
        headers=as_user(DAVE, tokens),
        json={"statement": "SELECT count(*) AS n FROM demo.crm.customers"},
    )
    assert denied.status_code == 403
    tables = await api.get(
        "/api/uc/tables",
        headers=as_user(ALICE, tokens),
        params={"catalog": "demo", "schema": "crm"},
    )
    assert tables.status_code == 200, tables.text
    assert "customers" in {t["name"] for t in tables.json()["items"]}


async def test_a_forged_email_with_someone_elses_token_is_refused(api: Api, tokens: dict[str, str]):
    forged = {"X-Forwarded-Email": BOB, "X-Forwarded-Access-Token": tokens[ALICE]}
    response = await api.get("/api/me", headers=forged)
    assert response.status_code == 401
    assert response.json()["code"] == "identity_mismatch"


async def test_ready_reports_the_workspace_breaker(api: Api):
    response = await api.get("/api/ready")
    assert response.status_code == 200
    assert response.json()["checks"]["breaker:databricks"] == "closed"
