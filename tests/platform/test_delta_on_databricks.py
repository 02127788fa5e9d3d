"""Table versions on the databricks backend against the emulated workspace: the history of
the governed table after a governed write-back, the write-back evidence read ``VERSION AS
OF``, and a RESTORE held for approval and run once by the app's service principal."""

from __future__ import annotations

import pytest

from tests.platform_world import PlatformApi, World
from tests.web.conftest import ALICE, AUDITOR, BOB, DAVE
from tests.workspace.conftest import run_sql

pytestmark = pytest.mark.asyncio(loop_scope="module")
CUSTOMERS = "/api/delta/tables/demo.crm.customers"


@pytest.fixture(scope="module", autouse=True)
def readers(world: World, platform_api: PlatformApi) -> None:
    """Stewards, approvers and dave may read the governed table (the app writes it)."""
    app = world.emulator.workspace.admin_name  # the identity of the app's token
    for who in ("data-stewards", "risk-approvers", DAVE, app):
        for grant in (
            "GRANT USE CATALOG ON CATALOG demo TO `{who}`",
            "GRANT USE SCHEMA ON SCHEMA demo.crm TO `{who}`",
            "GRANT SELECT ON TABLE demo.crm.customers TO `{who}`",
        ):
            run_sql(world.admin, world.emulator.warehouse_id, grant.format(who=who))
    run_sql(
        world.admin,
        world.emulator.warehouse_id,
        f"GRANT MODIFY ON TABLE demo.crm.customers TO `{app}`",
    )


async def _write_back(api: PlatformApi, customer: int, tier: str) -> dict:
    change = await api.post(
        "/api/writeback/changes",
        ALICE,
        json={"table": "demo.crm.customers", "key": {"customer_id": customer},
              "set": {"tier": tier}, "reason": "annual review"},
    )  # fmt: skip
    assert change.status_code == 201, change.text
    approval = change.json()["approval_id"]
    assert (await api.post(f"/api/approvals/{approval}/approve", BOB, json={})).status_code == 200
    applied = await api.post(f"/api/approvals/{approval}/apply", BOB)
    assert applied.status_code == 200, applied.text
    return dict(change.json())


async def test_history_and_evidence_of_a_governed_write_back(platform_api: PlatformApi):
    change = await _write_back(platform_api, 3, "gold")
    history = await platform_api.get(f"{CUSTOMERS}/history", DAVE)
    assert history.status_code == 200, history.text
    versions = history.json()["items"]
    assert versions[0]["operation"] == "UPDATE"
    assert {"CREATE TABLE", "WRITE"} <= {v["operation"] for v in versions}
    evidence = await platform_api.get(f"/api/writeback/changes/{change['id']}/evidence", DAVE)
    assert evidence.status_code == 200, evidence.text
    body = evidence.json()
    assert body["produced_version"] == versions[0]["version"]
    assert body["replaced_version"] == versions[0]["version"] - 1
    assert (body["before"]["tier"], body["after"]["tier"]) == ("bronze", "gold")
    events = await platform_api.audit("writeback.versioned")
    assert events[0]["target"] == f"writeback_change:{change['id']}"


async def test_restore_waits_for_approval_then_runs_as_the_app(platform_api: PlatformApi):
    versions = (await platform_api.get(f"{CUSTOMERS}/history", DAVE)).json()["items"]
    held = await platform_api.post(
        f"{CUSTOMERS}/restore", ALICE, json={"version": versions[1]["version"]}
    )
    assert held.status_code == 202, held.text
    decided = await platform_api.post(
        f"/api/approvals/{held.json()['approval_id']}/approve", BOB, json={}
    )
    assert decided.json()["status"] == "APPLIED", decided.text
    after = (await platform_api.get(f"{CUSTOMERS}/history", DAVE)).json()["items"]
    assert after[0]["operation"] == "RESTORE"
    rows = await platform_api.post(
        "/api/sql/query",
        ALICE,
        json={"statement": "SELECT tier FROM demo.crm.customers WHERE customer_id = 3"},
    )
    assert rows.json()["rows"] == [{"tier": "bronze"}]
    audited = await platform_api.audit("delta.restore")
    assert audited[0]["details"]["held_for_approval"] is True
    assert await platform_api.get("/api/audit/events", AUDITOR)
