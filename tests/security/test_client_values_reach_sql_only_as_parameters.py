"""On the local backend, every statement the stores and the SQL endpoint emit is recorded while
hostile client values flow through every write path: none appears in statement text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dependency_injector import providers

from appkit_adapters.sql.stores.counting import CountingWarehouse
from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_web.containers import GovernedAppContainer, app_container
from appkit_web.local_backend import LocalBackend, engine_warehouse
from appkit_web.user_warehouses import UserWarehouses
from tests.web.conftest import ALICE, BOB, Api, make_settings, open_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MARK = "h0st1le"
HOSTILE = [
    f"{MARK}'); DROP TABLE demo.crm.customers; --",
    f"{MARK}` OR 1=1 --",
    f'{MARK}" /* */ ; DELETE FROM x',
    f"{MARK}\\'; SELECT 1; --",
    f"{MARK} :customer_id $1 ?",
    f"{MARK} ünï`cødé.`x`",
]


class RecordingWarehouse(CountingWarehouse):
    def __init__(self, inner: SqlWarehouse) -> None:
        super().__init__(inner)
        self.keep_text = True


@pytest.fixture
async def recorded(tmp_path: Path) -> AsyncIterator[tuple[Api, list[RecordingWarehouse]]]:
    settings = make_settings(
        tmp_path, APPKIT_BACKEND="local", APPKIT_DATA_DIR=str(tmp_path / "data")
    )
    made: list[RecordingWarehouse] = []

    def record(engine, principal_id: str) -> RecordingWarehouse:
        warehouse = RecordingWarehouse(engine_warehouse(engine, principal_id))
        made.append(warehouse)
        return warehouse

    def each_user_recorded(engine) -> UserWarehouses:
        return UserWarehouses(lambda principal, _token: record(engine, principal.id), "local")

    backend = LocalBackend(settings=providers.Object(settings))
    backend.warehouse.override(
        providers.Singleton(record, backend.engine, backend.service_principal_id)
    )
    backend.user_warehouses.override(providers.Singleton(each_user_recorded, backend.engine))
    container: GovernedAppContainer = app_container(settings, backend)
    async for api in open_client(container):
        yield api, made


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_hostile_values_and_names_never_reach_statement_text(recorded, hostile: str):
    api, made = recorded
    change = await api.post(
        "/api/writeback/changes",
        ALICE,
        json={"table": "demo.crm.customers", "key": {"customer_id": 2},
              "set": {"tier": "gold"}, "reason": hostile},
    )  # fmt: skip
    assert change.status_code == 201, change.text
    approved = await api.post(
        f"/api/approvals/{change.json()['approval_id']}/approve", BOB, json={"comment": hostile}
    )
    assert approved.status_code == 200, approved.text
    applied = await api.post(f"/api/approvals/{change.json()['approval_id']}/apply", ALICE)
    assert applied.status_code == 200, applied.text
    for refused in (
        {"table": f"demo.crm.{hostile}", "key": {"customer_id": 2}, "set": {"tier": "gold"}},
        {"table": "demo.crm.customers", "key": {hostile: 2}, "set": {"tier": "gold"}},
        {"table": "demo.crm.customers", "key": {"customer_id": 2}, "set": {hostile: "gold"}},
        {"table": "demo.crm.customers", "key": {"customer_id": hostile}, "set": {"tier": "gold"}},
        {"table": "demo.crm.customers", "key": {"customer_id": 2}, "set": {"tier": hostile}},
    ):
        response = await api.post("/api/writeback/changes", ALICE, json={**refused, "reason": "r"})
        assert response.status_code in (400, 404), response.text
    override = await api.post(
        "/api/overrides",
        ALICE,
        json={"entity": hostile, "metric": hostile, "period": hostile, "value": "1",
              "justification": hostile},
    )  # fmt: skip
    assert override.status_code in (201, 400, 404), override.text
    await api.get(
        "/api/overrides/effective", ALICE,
        params={"entity": hostile, "metric": hostile, "period": hostile},
    )  # fmt: skip
    raised = await api.post(
        "/api/exceptions",
        ALICE,
        json={"check": hostile, "table": "demo.crm.customers", "rule": hostile,
              "severity": "LOW", "failing_key": hostile, "observed_value": hostile},
    )  # fmt: skip
    assert raised.status_code == 201, raised.text
    await api.get("/api/approvals", BOB, params={"kind": hostile})
    await api.get("/api/writeback/changes", BOB, params={"table": hostile})
    await api.get("/api/audit/events", "auditor@example.com", params={"actor": hostile})
    query = await api.post(
        "/api/sql/query",
        ALICE,
        json={"statement": "SELECT name FROM demo.crm.customers WHERE name = :n",
              "parameters": {"n": hostile}},
    )  # fmt: skip
    assert query.status_code == 200, query.text
    statements = [text for warehouse in made for text in warehouse.statements]
    assert len(statements) > 10
    leaked = [text for text in statements if MARK in text]
    assert not leaked, leaked[0]
