"""uc, sql, secrets and jobs commands against the emulated workspace, failures included."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def seeded(ws_cli, emulator):
    for statement in (
        "CREATE CATALOG IF NOT EXISTS demo",
        "CREATE SCHEMA IF NOT EXISTS demo.risk",
        "CREATE TABLE demo.risk.metrics (entity STRING, metric STRING, value DOUBLE)",
        "INSERT INTO demo.risk.metrics VALUES ('ACC-1', 'pd', 0.02), ('ACC-2', 'pd', 0.05)",
        "CREATE TABLE demo.risk.customers (customer_id STRING, tier STRING)",
    ):
        emulator.sql(statement)
    return ws_cli


def _dave(emulator) -> dict[str, str]:
    """A signed-in user with no grants and no admin rights."""
    issued = emulator.add_principal("dave@example.com")
    return {"DATABRICKS_TOKEN": issued["token"]}


def test_list_catalogs_json_names_every_catalog(seeded) -> None:
    result = seeded("uc", "list-catalogs", "--json")
    assert result.exit_code == 0, result.output
    names = {c["name"] for c in json.loads(result.stdout)}
    assert {"demo", "main"} <= names


def test_list_schemas_and_tables_show_a_table_for_people(seeded) -> None:
    schemas = seeded("uc", "list-schemas", "demo")
    assert schemas.exit_code == 0
    assert "demo.risk" in schemas.stdout
    tables = seeded("uc", "list-tables", "demo", "risk")
    assert tables.exit_code == 0
    assert "demo.risk.metrics" in tables.stdout and "demo.risk.customers" in tables.stdout


def test_describe_table_lists_columns(seeded) -> None:
    result = seeded("uc", "describe-table", "demo.risk.metrics", "--json")
    assert result.exit_code == 0, result.output
    columns = [c["name"] for c in json.loads(result.stdout)["columns"]]
    assert columns == ["entity", "metric", "value"]


def test_describe_missing_table_exits_3_naming_it(seeded) -> None:
    result = seeded("uc", "describe-table", "demo.risk.nope")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: describe table demo.risk.nope:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_list_schemas_of_missing_catalog_exits_3(seeded) -> None:
    result = seeded("uc", "list-schemas", "nowhere")
    assert result.exit_code == 3


def test_volumes_and_functions_lists_answer(seeded) -> None:
    assert seeded("uc", "list-volumes", "demo", "risk", "--json").exit_code == 0
    assert seeded("uc", "list-functions", "demo", "risk", "--json").exit_code == 0


def test_search_matches_table_names_with_a_glob(seeded) -> None:
    result = seeded("uc", "search", "cust*", "--catalog", "demo", "--json")
    assert result.exit_code == 0, result.output
    assert [r["full_name"] for r in json.loads(result.stdout)] == ["demo.risk.customers"]


def test_user_without_grants_is_denied_with_exit_4(seeded, emulator) -> None:
    result = seeded("uc", "list-tables", "demo", "risk", env=_dave(emulator))
    assert result.exit_code == 4, result.output
    assert "error: list tables of demo.risk:" in result.stderr


def test_bad_token_exits_5(seeded) -> None:
    result = seeded("uc", "list-catalogs", env={"DATABRICKS_TOKEN": "dapi-wrong"})
    assert result.exit_code == 5, result.output


def test_no_workspace_configured_exits_2(cli) -> None:
    result = cli("uc", "list-catalogs")
    assert result.exit_code == 2
    assert "cannot connect to a workspace" in result.stderr


def test_sql_query_binds_named_parameters_and_prints_rows(seeded) -> None:
    result = seeded(
        "sql",
        "query",
        "SELECT entity, value FROM demo.risk.metrics WHERE entity = :e",
        "-p",
        "e=ACC-2",
        "--json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [c["name"] for c in payload["columns"]] == ["entity", "value"]
    assert payload["rows"] == [{"entity": "ACC-2", "value": 0.05}]
    assert payload["truncated"] is False


def test_sql_query_table_output_and_row_limit(seeded) -> None:
    result = seeded(
        "sql", "query", "SELECT entity FROM demo.risk.metrics ORDER BY entity", "--limit", "1"
    )
    assert result.exit_code == 0, result.output
    assert "ACC-1" in result.stdout and "ACC-2" not in result.stdout


def test_sql_query_without_warehouse_exits_2(seeded) -> None:
    result = seeded("sql", "query", "SELECT 1", env={"DATABRICKS_WAREHOUSE_ID": ""})
    assert result.exit_code == 2
    assert "no SQL warehouse" in result.stderr


def test_sql_query_on_unknown_warehouse_exits_3(seeded) -> None:
    result = seeded("sql", "query", "SELECT 1", "--warehouse-id", "missing0000")
    assert result.exit_code == 3, result.output
    assert "missing0000" in result.stderr


def test_sql_query_on_missing_table_exits_3(seeded) -> None:
    result = seeded("sql", "query", "SELECT * FROM demo.risk.nope")
    assert result.exit_code == 3, result.output


def test_sql_query_bad_param_is_usage_error(seeded) -> None:
    result = seeded("sql", "query", "SELECT :x", "-p", "novalue")
    assert result.exit_code == 2


def test_secrets_lifecycle_never_echoes_the_value(ws_cli) -> None:
    assert ws_cli("secrets", "create-scope", "app").exit_code == 0
    put = ws_cli(
        "secrets", "put-secret", "app", "client-secret", input="s3cr3t-value\ns3cr3t-value\n"
    )
    assert put.exit_code == 0, put.output
    assert "s3cr3t-value" not in put.output
    listed = ws_cli("secrets", "list-secrets", "app", "--json")
    assert [s["key"] for s in json.loads(listed.stdout)] == ["client-secret"]
    assert "s3cr3t-value" not in listed.output
    scopes = ws_cli("secrets", "list-scopes", "--json")
    assert "app" in [s["name"] for s in json.loads(scopes.stdout)]
    assert ws_cli("secrets", "delete-secret", "app", "client-secret").exit_code == 0
    assert ws_cli("secrets", "delete-scope", "app", "--yes").exit_code == 0
    assert ws_cli("secrets", "list-secrets", "app").exit_code == 3


def test_put_secret_with_value_option_stores_it(ws_cli, emulator) -> None:
    ws_cli("secrets", "create-scope", "app")
    result = ws_cli("secrets", "put-secret", "app", "k", "--value", "abc")
    assert result.exit_code == 0
    admin = emulator.workspace.identity.by_name(emulator.workspace.admin_name)
    assert emulator.workspace.secrets.get("app", "k", admin) == b"abc"


def test_creating_an_existing_scope_fails_with_exit_1(ws_cli) -> None:
    ws_cli("secrets", "create-scope", "app")
    again = ws_cli("secrets", "create-scope", "app")
    assert again.exit_code == 1
    assert "already exists" in again.stderr


def test_secret_write_without_permission_exits_4(ws_cli, emulator) -> None:
    ws_cli("secrets", "create-scope", "app")
    result = ws_cli("secrets", "put-secret", "app", "k", "--value", "v", env=_dave(emulator))
    assert result.exit_code == 4, result.output


def test_delete_scope_asks_first(ws_cli) -> None:
    ws_cli("secrets", "create-scope", "app")
    declined = ws_cli("secrets", "delete-scope", "app", input="n\n")
    assert declined.exit_code == 1
    assert ws_cli("secrets", "list-secrets", "app").exit_code == 0


def _job(emulator, name: str = "nightly-dq") -> int:
    from databricks.sdk import WorkspaceClient

    w = WorkspaceClient(host=emulator.host, token=emulator.admin_token, auth_type="pat")
    created = w.jobs.create(name=name)
    assert created.job_id is not None
    return created.job_id


def test_jobs_list_get_and_run_to_success(ws_cli, emulator) -> None:
    job_id = _job(emulator)
    listed = ws_cli("jobs", "list", "--json")
    assert [j["name"] for j in json.loads(listed.stdout)] == ["nightly-dq"]
    got = ws_cli("jobs", "get", str(job_id), "--json")
    assert json.loads(got.stdout)["job_id"] == job_id
    ran = ws_cli("jobs", "run", str(job_id), "-p", "as_of=2026-11-30", "--json")
    assert ran.exit_code == 0, ran.output
    summary = json.loads(ran.stdout)
    assert summary["life_cycle_state"] == "TERMINATED"
    assert summary["result_state"] == "SUCCESS"


def test_jobs_run_no_wait_prints_run_id_then_cancel(ws_cli, emulator) -> None:
    job_id = _job(emulator)
    started = ws_cli("jobs", "run", str(job_id), "--no-wait")
    assert started.exit_code == 0
    run_id = started.stdout.strip()
    assert run_id.isdigit()
    assert ws_cli("jobs", "cancel", run_id).exit_code == 0


def test_unknown_job_exits_3(ws_cli) -> None:
    for args in (("jobs", "get", "999"), ("jobs", "run", "999"), ("jobs", "cancel", "999")):
        result = ws_cli(*args)
        assert result.exit_code == 3, (args, result.output)
        assert "999" in result.stderr


def test_sql_query_reads_the_warehouse_from_the_profile_settings_file(
    seeded, emulator, tmp_path
) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / ".env.dev").write_text(
        f"DATABRICKS_WAREHOUSE_ID={emulator.warehouse_id}\n"
    )
    result = seeded(
        "sql", "query", "SELECT 1 AS one", "--json", env={"DATABRICKS_WAREHOUSE_ID": None}
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == [{"one": 1}]


def test_token_wins_when_client_credentials_are_also_set(seeded) -> None:
    result = seeded(
        "uc",
        "list-catalogs",
        "--json",
        env={"DATABRICKS_CLIENT_ID": "someone", "DATABRICKS_CLIENT_SECRET": "their-secret"},
    )
    assert result.exit_code == 0, result.output
