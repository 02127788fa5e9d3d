"""``/api/secrets`` and ``/api/jobs`` on the databricks backend against the emulated workspace.

Both run as the app's service principal (Databricks has no on-behalf-of
scope for them), so the app's policy decides who may call; every call is
audited with the input's hash and never a secret value.
"""

from __future__ import annotations

import json

import pytest
from databricks.sdk.service.jobs import NotebookTask, Task

from tests.platform_world import PlatformApi, World
from tests.web.conftest import ALICE, BOB, DAVE

pytestmark = pytest.mark.asyncio(loop_scope="module")

SECRET = "hunter2-the-month-end-key"


async def test_a_steward_manages_a_scope_and_its_secrets_values_never_come_back(
    platform_api: PlatformApi, world: World
):
    created = await platform_api.post("/api/secrets/scopes", ALICE, json={"scope": "month-end"})
    assert created.status_code == 201, created.text
    put = await platform_api.call(
        "PUT", "/api/secrets/month-end/api-key", ALICE, json={"value": SECRET}
    )
    assert put.status_code == 204, put.text
    scopes = await platform_api.get("/api/secrets/scopes", BOB)
    assert "month-end" in {s["name"] for s in scopes.json()["items"]}
    keys = await platform_api.get("/api/secrets/month-end", ALICE)
    assert [k["key"] for k in keys.json()["items"]] == ["api-key"]
    assert SECRET not in keys.text
    # The value really reached the workspace, as the app's identity.
    stored = world.admin.secrets.get_secret("month-end", "api-key")
    import base64

    assert base64.b64decode(stored.value).decode() == SECRET

    events = await platform_api.audit("secrets.put")
    assert events and SECRET not in json.dumps(events)
    details = events[-1]["details"]
    assert details["executes_as"] == "service_principal"
    assert details["outcome"] == "ok" and len(details["input_sha256"]) == 64
    assert events[-1]["target"] == "secret:month-end/api-key"

    gone = await platform_api.call("DELETE", "/api/secrets/month-end/api-key", ALICE)
    assert gone.status_code == 204
    assert (await platform_api.get("/api/secrets/month-end", ALICE)).json()["items"] == []
    scope_gone = await platform_api.call("DELETE", "/api/secrets/scopes/month-end", ALICE)
    assert scope_gone.status_code == 204
    missing = await platform_api.get("/api/secrets/month-end", ALICE)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


async def test_secret_writes_are_refused_to_callers_the_policy_does_not_name(
    platform_api: PlatformApi,
):
    refused = await platform_api.post("/api/secrets/scopes", BOB, json={"scope": "bobs"})
    assert refused.status_code == 403
    assert (await platform_api.get("/api/secrets/scopes", DAVE)).status_code == 403
    bad = await platform_api.post("/api/secrets/scopes", ALICE, json={"scope": "no spaces"})
    assert bad.status_code == 422
    duplicate = await platform_api.post("/api/secrets/scopes", ALICE, json={"scope": "twice"})
    assert duplicate.status_code == 201
    again = await platform_api.post("/api/secrets/scopes", ALICE, json={"scope": "twice"})
    assert again.status_code == 409
    failures = [e for e in await platform_api.audit("secrets.create_scope")
                if e["details"]["outcome"] != "ok"]  # fmt: skip
    assert failures[-1]["details"]["outcome"] == "conflict"


def _job(world: World, name: str, *tasks: str) -> int:
    created = world.admin.jobs.create(
        name=name,
        tasks=[
            Task(task_key=t, notebook_task=NotebookTask(notebook_path=f"/j/{t}")) for t in tasks
        ],
    )
    return int(created.job_id)


async def test_a_steward_runs_a_job_once_per_token_and_reads_its_tasks_output(
    platform_api: PlatformApi, world: World
):
    job_id = _job(world, "month-end-close", "extract", "post")
    listed = await platform_api.get("/api/jobs", DAVE, params={"limit": 50})
    assert job_id in {j["job_id"] for j in listed.json()["items"]}
    job = await platform_api.get(f"/api/jobs/{job_id}", DAVE)
    assert job.json()["settings"]["name"] == "month-end-close"

    body = {"parameters": {"as_of": "2026-11-30"}, "idempotency_token": "close-2026-11"}
    first = await platform_api.post(f"/api/jobs/{job_id}/run", ALICE, json=body)
    again = await platform_api.post(f"/api/jobs/{job_id}/run", ALICE, json=body)
    assert first.status_code == 202, first.text
    assert first.json()["run_id"] == again.json()["run_id"]
    runs = list(world.admin.jobs.list_runs(job_id=job_id))
    assert len(runs) == 1

    run_id = first.json()["run_id"]
    for _ in range(3):
        run = (await platform_api.get(f"/api/jobs/runs/{run_id}", DAVE)).json()
    assert run["state"]["result_state"] == "SUCCESS"
    outputs = {t["task_key"]: t["output"] for t in run["tasks"]}
    assert outputs["post"]["notebook_output"]["result"] == "post: ok"
    started = (await platform_api.audit("jobs.run"))[-1]
    assert started["details"]["run_id"] == run_id
    assert started["details"]["executes_as"] == "service_principal"


async def test_runs_are_cancelled_and_only_stewards_start_or_stop_them(
    platform_api: PlatformApi, world: World
):
    job_id = _job(world, "long-one", "t")
    assert (await platform_api.post(f"/api/jobs/{job_id}/run", DAVE)).status_code == 403
    run = await platform_api.post(
        f"/api/jobs/{job_id}/run", ALICE, headers={"Idempotency-Key": "k-1"}
    )
    run_id = run.json()["run_id"]
    assert (await platform_api.post(f"/api/jobs/runs/{run_id}/cancel", BOB)).status_code == 403
    cancelled = await platform_api.post(f"/api/jobs/runs/{run_id}/cancel", ALICE)
    assert cancelled.status_code == 202
    state = (await platform_api.get(f"/api/jobs/runs/{run_id}", ALICE)).json()["state"]
    assert state["result_state"] == "CANCELED"
    assert (await platform_api.get("/api/jobs/999999", ALICE)).status_code == 404
    assert (await platform_api.get("/api/jobs/runs/999999", ALICE)).status_code == 404
