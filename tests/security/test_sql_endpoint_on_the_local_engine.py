"""The SQL endpoint end to end on the local engine: every host-reaching statement is a 400
before it runs, parameters are values only, and the configured row limit holds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from appkit_web.local_backend import local_container
from tests.security.test_sql_endpoint_reaches_only_catalog_tables import HOST_REACHING
from tests.web.conftest import ALICE, Api, make_settings, open_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ENGINE_STATEMENTS = [
    "ATTACH '/tmp/evil.db' AS evil",
    "INSTALL httpfs",
    "LOAD httpfs",
    "PRAGMA database_list",
    "COPY demo.crm.customers TO '/tmp/out.csv'",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT getenv('HOME')",
    "SELECT current_setting('home_directory')",
    "EXPORT DATABASE '/tmp/out'",
    "SET enable_external_access = true",
    "CALL pragma_version()",
    "SELECT 1; DETACH demo",
    "SELECT 1 /* */; DROP TABLE demo.crm.customers",
    "SELECT * FROM demo.crm.customers -- \n; DELETE FROM demo.crm.customers",
]


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    settings = make_settings(
        tmp_path,
        APPKIT_BACKEND="local",
        APPKIT_DATA_DIR=str(tmp_path / "data"),
        APPKIT_SQL_ROW_LIMIT="5",
        APPKIT_USER_RATE_LIMIT_BURST="1000",
    )
    async for client in open_client(local_container(settings)):
        yield client


async def test_no_host_reaching_or_writing_statement_runs_on_the_local_engine(api: Api):
    for statement in [*HOST_REACHING, *ENGINE_STATEMENTS]:
        response = await api.post("/api/sql/query", ALICE, json={"statement": statement})
        assert response.status_code == 400, (statement, response.text)
        assert response.json()["code"] == "not_read_only", statement
    count = await api.post(
        "/api/sql/query", ALICE, json={"statement": "SELECT count(*) AS n FROM demo.crm.customers"}
    )
    assert count.status_code == 200 and count.json()["rows"][0]["n"] > 0


async def test_the_configured_row_limit_caps_any_requested_limit(api: Api):
    for asked in (None, 3, 5, 6, 100_000):
        body: dict = {"statement": "SELECT * FROM range(50)"}
        if asked is not None:
            body["row_limit"] = asked
        response = await api.post("/api/sql/query", ALICE, json=body)
        assert response.status_code == 200, response.text
        rows = response.json()["rows"]
        assert len(rows) == min(asked or 5, 5)
        assert response.json()["truncated"] is True


async def test_a_parameter_is_a_value_never_sql(api: Api):
    injected = "x' OR '1'='1"
    response = await api.post(
        "/api/sql/query",
        ALICE,
        json={"statement": "SELECT count(*) AS n FROM demo.crm.customers WHERE name = :name",
              "parameters": {"name": injected}},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["rows"] == [{"n": 0}]
    marker = await api.post(
        "/api/sql/query", ALICE, json={"statement": "SELECT 1", "parameters": {"a b": 1}}
    )
    assert marker.status_code == 400


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT 'a\\'; DROP TABLE demo.crm.customers; --' AS s",
        "SELECT 1 AS one --\x0b; DROP TABLE demo.crm.customers",
        "SELECT 1 /* a /* b */ ; DROP TABLE demo.crm.customers; */ AS one",
        'SELECT "a\\"; DROP TABLE demo.crm.customers; --" AS s',
    ],
)
async def test_string_and_comment_tricks_run_as_the_guard_read_them(api: Api, statement: str):
    response = await api.post("/api/sql/query", ALICE, json={"statement": statement})
    assert response.status_code == 200, response.text
    assert len(response.json()["rows"]) == 1
    count = await api.post(
        "/api/sql/query", ALICE, json={"statement": "SELECT count(*) AS n FROM demo.crm.customers"}
    )
    assert count.json()["rows"][0]["n"] > 0
