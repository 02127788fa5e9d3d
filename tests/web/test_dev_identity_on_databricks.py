"""Dev identity on the databricks backend, against the emulated workspace: every demo flow.

``--demo`` registers the demo users (with their groups) in the emulator and
hands their tokens to dev identity, so a developer sends only
``X-Forwarded-Email`` (as on the local backend) and reads still run as that
user with their own token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from appkit_testing.workspace import EmulatedWorkspace
from appkit_web.containers import GovernedAppContainer
from appkit_web.databricks_backend import databricks_container
from tests.web.conftest import ALICE, AUDITOR, BOB, DAVE, Api, make_settings, open_client


def _settings(tmp_path: Path, fake_workspace: EmulatedWorkspace, token: str, **extra: str):
    return make_settings(
        tmp_path,
        APPKIT_BACKEND="databricks",
        APPKIT_IDENTITY="dev",
        DATABRICKS_HOST=fake_workspace.host,
        DATABRICKS_TOKEN=token,
        DATABRICKS_WAREHOUSE_ID=fake_workspace.warehouse_id,
        RETRY_MAX_ATTEMPTS="2",
        **extra,
    )


@pytest.fixture
def container(tmp_path: Path, fake_workspace: EmulatedWorkspace) -> GovernedAppContainer:
    return databricks_container(
        _settings(tmp_path, fake_workspace, fake_workspace.admin_token, APPKIT_DEMO="1")
    )


@pytest.fixture
async def api(container: GovernedAppContainer) -> AsyncIterator[Api]:
    async for client in open_client(container):
        yield client


def _executed_by(fake_workspace: EmulatedWorkspace, fragment: str) -> set[str]:
    return {
        record.principal
        for record in fake_workspace.workspace.stats.statements()
        if fragment in record.statement
    }


async def test_the_whole_demo_flow_runs_in_dev_identity(
    api: Api, fake_workspace: EmulatedWorkspace
) -> None:
    me = (await api.get("/api/me", ALICE)).json()
    assert (me["id"], me["roles"], me["identity_mode"]) == (
        "dev:alice@example.com",
        ["maker"],
        "dev",
    )

    override = await api.post(
        "/api/overrides",
        ALICE,
        json={"entity": "ACME", "metric": "var_99", "period": "2026-Q3", "value": "1300000",
              "justification": "late trade"},
    )  # fmt: skip
    assert override.status_code == 201, override.text
    decided = await api.post(
        f"/api/approvals/{override.json()['approval_id']}/approve", BOB, json={}
    )
    assert decided.json()["status"] == "APPLIED", decided.text

    change = await api.post(
        "/api/writeback/changes",
        ALICE,
        json={"table": "demo.crm.customers", "key": {"customer_id": 2}, "set": {"tier": "gold"},
              "reason": "annual review"},
    )  # fmt: skip
    assert change.status_code == 201, change.text
    approval_id = change.json()["approval_id"]
    assert (
        await api.post(f"/api/approvals/{approval_id}/approve", BOB, json={})
    ).status_code == 200
    applied = await api.post(f"/api/approvals/{approval_id}/apply", BOB)
    assert applied.status_code == 200 and applied.json()["status"] == "APPLIED", applied.text

    tables = await api.get("/api/uc/tables", DAVE, params={"catalog": "demo", "schema": "crm"})
    assert tables.status_code == 200, tables.text
    assert "customers" in {t["name"] for t in tables.json()["items"]}

    statement = "SELECT tier, updated_by FROM demo.crm.customers WHERE customer_id = 2"
    for user in (ALICE, DAVE):  # dave, in no group, reads the demo tables
        rows = await api.post("/api/sql/query", user, json={"statement": statement})
        assert rows.status_code == 200, rows.text
        assert rows.json()["rows"] == [{"tier": "gold", "updated_by": "dev:alice@example.com"}]
    assert {"alice@example.com", "dave@example.com"} <= _executed_by(fake_workspace, statement)

    verify = await api.get("/api/audit/verify", AUDITOR)
    assert verify.status_code == 200 and verify.json()["ok"] is True
    events = (await api.get("/api/audit/events", AUDITOR, params={"page_size": 200})).json()
    assert {"approval.approve", "approval.apply"} <= {e["action"] for e in events["items"]}


async def test_a_simulated_access_token_is_passed_on_and_checked(
    api: Api, fake_workspace: EmulatedWorkspace
) -> None:
    erin = fake_workspace.add_principal("erin@example.com")["token"]
    mismatch = await api.get("/api/me", ALICE, headers={"X-Forwarded-Access-Token": erin})
    assert mismatch.status_code == 401 and mismatch.json()["code"] == "identity_mismatch"
    refused = await api.get("/api/me", ALICE, headers={"X-Forwarded-Access-Token": "dapi-bogus"})
    assert refused.status_code == 401
    alices = fake_workspace.workspace.identity.issue_token(ALICE)
    statement = "SELECT 'as alice' AS who"
    rows = await api.post(
        "/api/sql/query", ALICE, json={"statement": statement},
        headers={"X-Forwarded-Access-Token": alices},
    )  # fmt: skip
    assert rows.status_code == 200, rows.text
    assert _executed_by(fake_workspace, statement) == {ALICE}


async def test_a_restart_against_the_same_emulator_registers_the_users_again(
    tmp_path: Path, fake_workspace: EmulatedWorkspace
) -> None:
    settings = _settings(tmp_path, fake_workspace, fake_workspace.admin_token, APPKIT_DEMO="1")
    for _ in range(2):
        async for api in open_client(databricks_container(settings)):
            rows = await api.post(
                "/api/sql/query",
                DAVE,
                json={"statement": "SELECT count(*) AS n FROM demo.crm.customers"},
            )
            assert rows.status_code == 200, rows.text


async def test_without_demo_a_dev_user_gets_a_clear_reason_instead_of_a_header_complaint(
    tmp_path: Path, fake_workspace: EmulatedWorkspace
) -> None:
    container = databricks_container(
        _settings(tmp_path, fake_workspace, fake_workspace.admin_token)
    )
    async for api in open_client(container):
        response = await api.post("/api/sql/query", ALICE, json={"statement": "SELECT 1 AS one"})
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "alice@example.com needs that user's own token" in detail and "--demo" in detail


async def test_on_a_workspace_it_cannot_drive_dev_identity_acts_as_the_developer(
    tmp_path: Path, fake_workspace: EmulatedWorkspace, workspace_client
) -> None:
    # a workspace that does not let the app register people (here: a non-admin token) is
    # treated as a real one: the configured credentials' own user joins the dev directory
    token = fake_workspace.add_principal("erin@example.com", groups=["data-stewards"])["token"]
    async for _ in open_client(databricks_container(
        _settings(tmp_path, fake_workspace, fake_workspace.admin_token, APPKIT_DEMO="1")
    )):  # fmt: skip
        pass  # the governance tables, created by an admin
    for grant in (
        "GRANT USE CATALOG ON CATALOG demo TO `erin@example.com`",
        "GRANT ALL PRIVILEGES ON SCHEMA demo.governance TO `erin@example.com`",
    ):
        workspace_client.statement_execution.execute_statement(
            statement=grant, warehouse_id=fake_workspace.warehouse_id
        )  # fmt: skip
    container = databricks_container(_settings(tmp_path, fake_workspace, token))
    async for api in open_client(container):
        me = (await api.get("/api/me", "erin@example.com")).json()
        assert me["id"] == "dev:erin@example.com" and me["display_name"].endswith("(developer)")
        assert me["roles"] == ["maker"]
        rows = await api.post("/api/sql/query", "erin@example.com",
                              json={"statement": "SELECT 41 + 1 AS answer"})  # fmt: skip
        assert rows.status_code == 200, rows.text
        assert rows.json()["rows"] == [{"answer": 42}]
    assert _executed_by(fake_workspace, "SELECT 41 + 1") == {"erin@example.com"}
