"""The app's own governance tables (audit log, approval requests with their payloads, change
requests) are read through the governed API only, which applies the auditor role and the payload
visibility rules; the SQL endpoint refuses any statement naming them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from appkit_web.local_backend import local_container
from appkit_web.sql_guard import GovernanceTableRefused, check_read_only
from tests.web.conftest import AUDITOR, DAVE, Api, make_settings, open_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

GOVERNANCE = ("demo", "governance")
READS = [
    "SELECT * FROM demo.governance.audit_events",
    "SELECT * FROM DEMO.Governance.approval_requests",
    "SELECT * FROM `demo`.`governance`.`change_requests`",
    "SELECT * FROM governance.audit_events",
    "SELECT count(*) FROM demo.crm.customers c JOIN demo.governance.audit_events a ON true",
    "WITH a AS (SELECT * FROM demo.governance.audit_events) SELECT * FROM a",
    "SELECT (SELECT max(seq) FROM demo.governance.audit_events)",
    "DESCRIBE TABLE demo.governance.audit_events",
]


@pytest.mark.parametrize("statement", READS)
def test_the_guard_refuses_statements_naming_governance_tables(statement: str):
    with pytest.raises(GovernanceTableRefused):
        check_read_only(statement, protected_schemas=frozenset({GOVERNANCE}))


def test_the_spark_catalog_alias_names_the_hive_metastore():
    protected = frozenset({("hive_metastore", "governance")})
    with pytest.raises(GovernanceTableRefused):
        check_read_only("SELECT * FROM spark_catalog.governance.t", protected_schemas=protected)


def test_other_schemas_of_the_catalog_stay_readable():
    protected = frozenset({GOVERNANCE})
    assert check_read_only("SELECT * FROM demo.crm.customers", protected_schemas=protected)
    assert check_read_only("SELECT * FROM other.governance.x", protected_schemas=protected)


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    settings = make_settings(
        tmp_path, APPKIT_BACKEND="local", APPKIT_DATA_DIR=str(tmp_path / "data")
    )
    container = local_container(settings)
    async for client in open_client(container):
        client.warehouse = container.backend.warehouse()  # type: ignore[attr-defined]
        yield client


@pytest.mark.parametrize("user", [DAVE, AUDITOR])
async def test_no_caller_reads_the_audit_log_or_payloads_through_the_sql_endpoint(
    api: Api, user: str
):
    for statement in READS:
        response = await api.post("/api/sql/query", user, json={"statement": statement})
        assert response.status_code == 403, (statement, response.text)
        assert response.json()["code"] == "governance_table"
    assert (await api.get("/api/audit/events", DAVE)).status_code == 403


async def test_a_caller_without_select_cannot_read_a_table_through_the_sql_endpoint(api: Api):
    ungranted = "demo.crm.salaries"  # no grant names it
    await api.warehouse.execute(f"CREATE TABLE {ungranted} (customer_id BIGINT, pay BIGINT)")
    response = await api.post(
        "/api/sql/query", DAVE, json={"statement": f"SELECT * FROM {ungranted}"}
    )
    assert response.status_code == 403, response.text


async def test_dave_without_a_group_reads_the_demo_tables(api: Api):
    for table in ("demo.crm.customers", "demo.risk.metrics", "demo.dq.check_results"):
        response = await api.post(
            "/api/sql/query", DAVE, json={"statement": f"SELECT count(*) AS n FROM {table}"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["rows"][0]["n"] > 0
