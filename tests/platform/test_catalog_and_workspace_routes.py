"""``/api/connections``, ``/api/notebooks``, ``/api/dashboards`` and ``/api/mlflow`` on the
databricks backend against the emulated workspace: reads as the user, changes as the app,
dashboard publishing held for approval, every call audited, no secret ever returned."""

from __future__ import annotations

import base64
import json

import pytest

from tests.platform_world import PlatformApi, World
from tests.web.conftest import ALICE, BOB, DAVE

pytestmark = pytest.mark.asyncio(loop_scope="module")
SECRET = "pg-password-never-shown"


async def test_connections_are_created_by_stewards_and_never_show_secrets(
    platform_api: PlatformApi,
):
    body = {"name": "crm_pg", "connection_type": "POSTGRESQL",
            "options": {"host": "db", "port": "5432", "user": "app", "password": SECRET}}  # fmt: skip
    assert (await platform_api.post("/api/connections", DAVE, json=body)).status_code == 403
    created = await platform_api.post("/api/connections", ALICE, json=body)
    assert created.status_code == 201, created.text
    assert SECRET not in created.text
    listed = await platform_api.get("/api/connections", BOB)
    assert [c["name"] for c in listed.json()["items"]] == ["crm_pg"]
    shown = await platform_api.get("/api/connections/crm_pg", BOB)
    assert shown.json()["options"] == {"host": "db", "port": "5432", "user": "app"}
    events = await platform_api.audit("connections.create")
    assert SECRET not in json.dumps(events)
    assert events[0]["details"]["option_names"] == ["host", "password", "port", "user"]
    deleted = await platform_api.call("DELETE", "/api/connections/crm_pg", ALICE)
    assert deleted.status_code == 204
    assert (await platform_api.get("/api/connections/crm_pg", BOB)).status_code == 404


async def test_notebooks_list_and_export_as_the_user(platform_api: PlatformApi, world: World):
    from databricks.sdk.service.workspace import ImportFormat, Language

    world.admin.workspace.import_(
        "/Shared/report",
        content=base64.b64encode(b"SELECT 1").decode(),
        format=ImportFormat.SOURCE,
        language=Language.SQL,
    )
    listed = await platform_api.get("/api/notebooks", DAVE, params={"path": "/Shared"})
    assert listed.status_code == 200, listed.text
    assert "/Shared/report" in [o["path"] for o in listed.json()["items"]]
    exported = await platform_api.get(
        "/api/notebooks/export", DAVE, params={"path": "/Shared/report", "format": "JUPYTER"}
    )
    assert exported.status_code == 200, exported.text
    notebook = json.loads(base64.b64decode(exported.json()["content"]))
    assert notebook["cells"][0]["source"] == ["SELECT 1"]
    bad = await platform_api.get(
        "/api/notebooks/export", DAVE, params={"path": "/x", "format": "PDF"}
    )
    assert bad.status_code == 422


async def test_a_dashboard_is_created_and_its_publishing_waits_for_approval(
    platform_api: PlatformApi, world: World
):
    definition = json.dumps({"pages": [{"name": "p", "displayName": "Tiers"}]})
    created = await platform_api.post(
        "/api/dashboards",
        ALICE,
        json={"display_name": "Tiers", "serialized_dashboard": definition,
              "warehouse_id": world.emulator.warehouse_id},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    dashboard = created.json()["dashboard_id"]
    held = await platform_api.post(f"/api/dashboards/{dashboard}/publish", ALICE, json={})
    assert held.status_code == 202, held.text
    assert (
        await platform_api.get(f"/api/dashboards/{dashboard}/published", DAVE)
    ).status_code == 404
    approved = await platform_api.post(
        f"/api/approvals/{held.json()['approval_id']}/approve", BOB, json={}
    )
    assert approved.json()["status"] == "APPLIED", approved.text
    published = await platform_api.get(f"/api/dashboards/{dashboard}/published", DAVE)
    assert published.status_code == 200
    assert published.json()["display_name"] == "Tiers"
    listed = await platform_api.get("/api/dashboards", DAVE)
    assert dashboard in [d["dashboard_id"] for d in listed.json()["items"]]


async def test_mlflow_experiments_and_run_search(platform_api: PlatformApi, world: World):
    experiments = world.admin.experiments
    experiment = experiments.create_experiment("/Shared/routes").experiment_id
    run = experiments.create_run(experiment_id=experiment, run_name="r1").run.info.run_id
    experiments.log_metric("acc", 0.97, 1, run_id=run)
    listed = await platform_api.get("/api/mlflow/experiments", DAVE)
    assert "/Shared/routes" in [e["name"] for e in listed.json()["items"]]
    found = await platform_api.post(
        "/api/mlflow/runs/search",
        DAVE,
        json={"experiment_ids": [experiment], "filter": "metrics.acc > 0.9"},
    )
    assert found.status_code == 200, found.text
    assert [r["info"]["run_name"] for r in found.json()["items"]] == ["r1"]
