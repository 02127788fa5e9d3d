"""The same governed flows on the local backend: SQL stores over the embedded engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from appkit_web.containers import GovernedAppContainer
from appkit_web.local_backend import local_container
from tests.web.conftest import ALICE, AUDITOR, BOB, CAROL, DAVE, Api, make_settings, open_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def local(tmp_path: Path) -> GovernedAppContainer:
    settings = make_settings(
        tmp_path, APPKIT_BACKEND="local", APPKIT_DATA_DIR=str(tmp_path / "data")
    )
    return local_container(settings)


@pytest.fixture
async def api(local: GovernedAppContainer) -> AsyncIterator[Api]:
    async for client in open_client(local):
        yield client


async def sql(api: Api, statement: str, **parameters) -> list[dict]:
    response = await api.post(
        "/api/sql/query", ALICE, json={"statement": statement, "parameters": parameters}
    )
    assert response.status_code == 200, response.text
    return response.json()["rows"]


async def test_material_override_needs_two_approvers_on_the_local_backend(api: Api):
    body = {"entity": "GLOBEX", "metric": "pd", "period": "2026-Q3", "value": "0.05",
            "justification": "rating downgrade"}  # fmt: skip
    proposal = (await api.post("/api/overrides", ALICE, json=body)).json()
    assert proposal["required_approvals"] == 2
    assert proposal["computed_value"] == "0.035000"
    url = f"/api/approvals/{proposal['approval_id']}/approve"
    assert (await api.post(url, ALICE, json={})).status_code == 403
    assert (await api.post(url, DAVE, json={})).status_code == 403
    assert (await api.post(url, BOB, json={})).json()["status"] == "PENDING"
    assert (await api.post(url, CAROL, json={})).json()["status"] == "APPLIED"
    params = {"entity": "GLOBEX", "metric": "pd", "period": "2026-Q3"}
    effective = (await api.get("/api/overrides/effective", DAVE, params=params)).json()
    assert effective["overridden"] is True and effective["value"] == "0.05"


async def test_tier_change_is_written_with_updated_by(api: Api):
    change = (
        await api.post(
            "/api/writeback/changes",
            ALICE,
            json={"table": "demo.crm.customers", "key": {"customer_id": 5},
                  "set": {"tier": "gold"}, "reason": "review"},
        )
    ).json()  # fmt: skip
    await api.post(f"/api/approvals/{change['approval_id']}/approve", BOB, json={})
    applied = await api.post(f"/api/approvals/{change['approval_id']}/apply", BOB)
    assert applied.status_code == 200, applied.text
    rows = await sql(
        api, "SELECT tier, updated_by FROM demo.crm.customers WHERE customer_id = :id", id=5
    )
    assert rows == [{"tier": "gold", "updated_by": "dev:alice@example.com"}]


async def test_a_moved_row_ends_apply_failed_and_nothing_is_written(
    api: Api, local: GovernedAppContainer
):
    change = (
        await api.post(
            "/api/writeback/changes",
            ALICE,
            json={"table": "demo.crm.customers", "key": {"customer_id": 1},
                  "set": {"tier": "platinum"}, "reason": "r"},
        )
    ).json()  # fmt: skip
    await api.post(f"/api/approvals/{change['approval_id']}/approve", CAROL, json={})
    await local.backend.warehouse().execute(
        "UPDATE demo.crm.customers SET tier = :tier WHERE customer_id = :id",
        {"tier": "bronze", "id": 1},
    )
    applied = await api.post(f"/api/approvals/{change['approval_id']}/apply", ALICE)
    assert applied.status_code == 409
    state = (await api.get(f"/api/writeback/changes/{change['id']}", ALICE)).json()
    assert state["status"] == "APPLY_FAILED" and state["failure"]
    rows = await sql(api, "SELECT tier FROM demo.crm.customers WHERE customer_id = 1")
    assert rows == [{"tier": "bronze"}]


async def test_waiver_and_audit_verify_on_the_local_backend(api: Api):
    ingested = (await api.post("/api/exceptions/ingest", ALICE, json={})).json()
    assert ingested["counts"] == {"created": 3}
    again = (await api.post("/api/exceptions/ingest", ALICE, json={})).json()
    assert again["counts"] == {"unchanged": 3}
    exception_id = ingested["results"][0]["exception"]["id"]
    await api.post(f"/api/exceptions/{exception_id}/acknowledge", ALICE)
    waiver = (
        await api.post(
            f"/api/exceptions/{exception_id}/waive",
            ALICE,
            json={"justification": "vendor", "until": "2099-01-01T00:00:00Z"},
        )
    ).json()
    assert (await api.post(f"/api/approvals/{waiver['approval_id']}/approve", BOB, json={})).json()[
        "status"
    ] == "APPLIED"
    assert (await api.get(f"/api/exceptions/{exception_id}", DAVE)).json()["status"] == "WAIVED"
    verify = (await api.get("/api/audit/verify", AUDITOR)).json()
    assert verify["ok"] is True and verify["streams"][0]["events"] > 5


async def test_sql_endpoint_reads_as_the_user_and_refuses_writes(api: Api):
    rows = await sql(api, "SELECT count(*) AS n FROM demo.risk.metrics")
    assert rows == [{"n": 9}]
    for statement in ("DELETE FROM demo.crm.customers", "DROP TABLE demo.crm.customers",
                      "SELECT 1; DELETE FROM demo.crm.customers"):  # fmt: skip
        refused = await api.post("/api/sql/query", ALICE, json={"statement": statement})
        assert refused.status_code == 400
    rows = await sql(api, "SELECT count(*) AS n FROM demo.crm.customers")
    assert rows == [{"n": 5}]
    limited = await api.post(
        "/api/sql/query",
        ALICE,
        json={"statement": "SELECT * FROM demo.risk.metrics", "row_limit": 2},
    )
    assert len(limited.json()["rows"]) == 2 and limited.json()["truncated"] is True


async def test_unity_catalog_browse_and_readiness_on_the_local_backend(api: Api):
    catalogs = (await api.get("/api/uc/catalogs", DAVE)).json()["items"]
    assert "demo" in {c["name"] for c in catalogs}
    tables = (
        await api.get("/api/uc/tables", DAVE, params={"catalog": "demo", "schema": "crm"})
    ).json()
    assert [t["name"] for t in tables["items"]] == ["customers"]
    table = (await api.get("/api/uc/tables/demo.crm.customers", DAVE)).json()
    assert [c["name"] for c in table["columns"]][:3] == ["customer_id", "name", "tier"]
    assert (await api.get("/api/uc/tables/demo.crm.nothing", DAVE)).status_code == 404
    assert (await api.get("/api/ready")).status_code == 200


async def test_the_demo_world_is_seeded_once_across_restarts(local: GovernedAppContainer):
    async for api in open_client(local):
        await sql(api, "SELECT 1")
    settings = local.settings()
    again = local_container(settings)
    async for api in open_client(again):
        rows = await sql(api, "SELECT count(*) AS n FROM demo.crm.customers")
        assert rows == [{"n": 5}]


async def test_sql_queries_are_audited_with_the_caller_and_statement(api: Api):
    await sql(api, "SELECT count(*) AS n FROM demo.risk.metrics WHERE entity = :e", e="ACME")
    events = (await api.get("/api/audit/events", AUDITOR, params={"action": "sql.query"})).json()[
        "items"
    ]
    assert len(events) == 1
    assert events[0]["actor"] == "dev:alice@example.com"
    assert events[0]["details"]["statement"].startswith("SELECT count(*)")
    assert events[0]["details"]["parameters"] == ["e"]
