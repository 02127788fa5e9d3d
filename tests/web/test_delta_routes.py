"""``/api/delta`` on the local backend: history, time travel and governed RESTORE / VACUUM."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from appkit_web.containers import GovernedAppContainer
from appkit_web.local_backend import local_container
from appkit_web.platform.delta import DeltaOperations
from tests.web.conftest import ALICE, AUDITOR, BOB, DAVE, Api, make_settings, open_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
CUSTOMERS = "/api/delta/tables/demo.crm.customers"


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> GovernedAppContainer:
    tmp: Path = tmp_path_factory.mktemp("delta")
    settings = make_settings(
        tmp,
        APPKIT_BACKEND="local",
        APPKIT_DATA_DIR=str(tmp / "data"),
        APPKIT_PLATFORM_RATE_LIMIT_PER_SECOND="100000",
        APPKIT_PLATFORM_RATE_LIMIT_BURST="100000",
    )
    return local_container(settings)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api(local: GovernedAppContainer) -> AsyncIterator[Api]:
    async for client in open_client(local):
        yield client


pytestmark = [pytestmark, pytest.mark.asyncio(loop_scope="module")]


async def _history(api: Api, user: str = DAVE) -> list[dict]:
    response = await api.get(f"{CUSTOMERS}/history", user)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def _write_back(api: Api, customer: int, tier: str) -> dict:
    change = (
        await api.post(
            "/api/writeback/changes",
            ALICE,
            json={"table": "demo.crm.customers", "key": {"customer_id": customer},
                  "set": {"tier": tier}, "reason": "annual review"},
        )
    ).json()  # fmt: skip
    assert "approval_id" in change, change
    await api.post(f"/api/approvals/{change['approval_id']}/approve", BOB, json={})
    applied = await api.post(f"/api/approvals/{change['approval_id']}/apply", BOB)
    assert applied.status_code == 200, applied.text
    return dict(change)


async def test_history_shows_create_insert_and_a_governed_write_back(api: Api) -> None:
    before = await _history(api)
    await _write_back(api, 3, "platinum")
    after = await _history(api)
    assert [h["version"] for h in after][1:] == [h["version"] for h in before]
    assert after[0]["operation"] == "UPDATE"
    assert {"CREATE TABLE", "WRITE"} <= {h["operation"] for h in after}
    limited = await api.get(f"{CUSTOMERS}/history", DAVE, params={"limit": 1})
    assert len(limited.json()["items"]) == 1
    detail = (await api.get(f"{CUSTOMERS}/detail", DAVE)).json()
    assert detail["format"] == "delta" and detail["name"] == "demo.crm.customers"


async def test_rows_as_of_each_version(api: Api) -> None:
    history = await _history(api)
    latest, previous = history[0]["version"], history[1]["version"]
    for version in (latest, previous):
        response = await api.get(f"{CUSTOMERS}/rows", DAVE, params={"version": version})
        assert response.status_code == 200, response.text
        assert response.json()["items"]
    missing = await api.get(f"{CUSTOMERS}/rows", DAVE, params={"version": 10_000})
    assert missing.status_code == 400
    assert "DELTA_VERSION_NOT_FOUND" in missing.json()["detail"]


async def test_restore_is_held_for_approval_and_runs_once(
    api: Api, local: GovernedAppContainer
) -> None:
    await _write_back(api, 4, "gold")
    history = await _history(api)
    target = history[1]["version"]
    held = await api.post(f"{CUSTOMERS}/restore", ALICE, json={"version": target})
    assert held.status_code == 202, held.text
    approval_id = held.json()["approval_id"]
    assert held.json()["status"] == "PENDING"
    assert (await _history(api))[0]["version"] == history[0]["version"]  # nothing ran yet
    approved = await api.post(f"/api/approvals/{approval_id}/approve", BOB, json={})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "APPLIED"
    restored = await _history(api)
    assert restored[0]["operation"] == "RESTORE"
    assert restored[0]["operationParameters"] == {"version": str(target)}
    request = await local.approvals().get(approval_id)
    operations: DeltaOperations = local.delta_operations()
    again = await operations.execute_restore(request, None, "token")  # type: ignore[arg-type]
    assert again["repeated"] is True and again["version"] == restored[0]["version"]
    assert (await _history(api))[0]["version"] == restored[0]["version"]
    events = await api.get("/api/audit/events", AUDITOR, params={"action": "delta.restore"})
    assert events.json()["items"][0]["details"]["held_for_approval"] is True


async def test_vacuum_dry_run_runs_now_and_a_real_one_waits(api: Api) -> None:
    dry = await api.post(f"{CUSTOMERS}/vacuum", ALICE, json={"dry_run": True})
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True
    held = await api.post(f"{CUSTOMERS}/vacuum", ALICE, json={"retain_hours": 168})
    assert held.status_code == 202
    assert held.json()["kind"] == "delta_vacuum"
    too_short = await api.post(f"{CUSTOMERS}/vacuum", ALICE, json={"retain_hours": 1})
    approved = await api.post(
        f"/api/approvals/{too_short.json()['approval_id']}/approve", BOB, json={}
    )
    assert approved.json()["status"] == "APPLY_FAILED"
    assert "DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT" in approved.json()["failure"]


async def test_optimize_runs_as_the_app_for_stewards_only(api: Api) -> None:
    refused = await api.post(f"{CUSTOMERS}/optimize", DAVE, json={})
    assert refused.status_code == 403
    done = await api.post(f"{CUSTOMERS}/optimize", ALICE, json={"zorder_by": ["tier"]})
    assert done.status_code == 200, done.text
    assert done.json()["metrics"]["numFilesAdded"] in (0, 1)
    bad = await api.post(f"{CUSTOMERS}/optimize", ALICE, json={"zorder_by": ["no such"]})
    assert bad.status_code == 400
    events = await api.get("/api/audit/events", AUDITOR, params={"action": "delta.optimize"})
    details = events.json()["items"][0]["details"]
    assert details["executes_as"] == "service_principal" and details["outcome"] == "ok"


async def test_bad_input_is_a_clear_4xx(api: Api) -> None:
    both = await api.post(
        f"{CUSTOMERS}/restore", ALICE, json={"version": 1, "timestamp": "2025-01-01T00:00:00Z"}
    )
    assert both.status_code in (400, 422)
    naive = await api.post(f"{CUSTOMERS}/restore", ALICE, json={"timestamp": "2025-01-01T00:00:00"})
    assert naive.status_code in (400, 422)
    name = await api.get("/api/delta/tables/not-a-table/history", DAVE)
    assert name.status_code == 400
    hidden = await api.get("/api/delta/tables/demo.crm.nope/history", DAVE)
    assert hidden.status_code == 403  # the caller's own privileges decide first
    missing = await api.post("/api/delta/tables/demo.crm.nope/optimize", ALICE, json={})
    assert missing.status_code == 404


async def test_write_back_evidence_shows_the_row_before_and_after_from_real_versions(
    api: Api, local: GovernedAppContainer
) -> None:
    change = await _write_back(api, 1, "bronze")
    history = await _history(api)
    shown = (await api.get(f"/api/writeback/changes/{change['id']}", DAVE)).json()
    assert shown["table_version"] is None  # linked on demand or by the recovery sweep
    evidence = await api.get(f"/api/writeback/changes/{change['id']}/evidence", DAVE)
    assert evidence.status_code == 200, evidence.text
    body = evidence.json()
    assert body["produced_version"] == history[0]["version"]
    assert body["replaced_version"] == history[0]["version"] - 1
    assert body["before"]["tier"] == change["before"]["tier"]
    assert body["after"]["tier"] == "bronze"
    assert body["after"]["updated_by"] == "dev:alice@example.com"
    linked = (await api.get(f"/api/writeback/changes/{change['id']}", DAVE)).json()
    assert linked["table_version"] == body["produced_version"]
    again = (await api.get(f"/api/writeback/changes/{change['id']}/evidence", DAVE)).json()
    assert again == body
    events = (
        await api.get(
            "/api/audit/events", AUDITOR, params={"target": f"writeback_change:{change['id']}"}
        )
    ).json()["items"]
    versioned = [e for e in events if e["action"] == "writeback.versioned"]
    assert len(versioned) == 1
    assert versioned[0]["details"]["produced_version"] == body["produced_version"]
    rows = await api.get(
        f"{CUSTOMERS}/rows", DAVE, params={"version": body["replaced_version"], "limit": 1000}
    )
    old = [r for r in rows.json()["items"] if r["customer_id"] == 1]
    assert old[0]["tier"] == change["before"]["tier"]


async def test_the_recovery_sweep_links_applied_changes(
    api: Api, local: GovernedAppContainer
) -> None:
    from appkit_web.app import recover_now

    change = await _write_back(api, 2, "gold")
    await recover_now(local)
    linked = (await api.get(f"/api/writeback/changes/{change['id']}", DAVE)).json()
    assert linked["table_version"] is not None
    pending = await api.get("/api/writeback/changes/" + change["id"] + "/evidence", DAVE)
    assert pending.json()["produced_version"] == linked["table_version"]


async def test_versions_persist_across_an_app_restart(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tmp: Path = tmp_path_factory.mktemp("restart")
    settings = make_settings(tmp, APPKIT_BACKEND="local", APPKIT_DATA_DIR=str(tmp / "data"))
    async for first in open_client(local_container(settings)):
        await _write_back(first, 5, "gold")
        before = await _history(first)
    async for second in open_client(local_container(settings)):
        after = await _history(second)
        assert after == before
        assert after[0]["operation"] == "UPDATE"
        rows = await second.get(
            f"{CUSTOMERS}/rows", DAVE, params={"version": after[1]["version"], "limit": 1000}
        )
        old = [r for r in rows.json()["items"] if r["customer_id"] == 5]
        assert old[0]["tier"] == "silver"
