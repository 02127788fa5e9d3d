"""``deploy``: local validation first, then create/upload/deploy against the emulated workspace."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from databricks.sdk import WorkspaceClient

BUNDLE = """\
bundle:
  name: tiny
variables:
  warehouse_id:
    description: SQL warehouse id
resources:
  apps:
    tiny:
      name: tiny-app
      description: A tiny app
      source_code_path: .
      user_api_scopes: [sql]
      resources:
        - name: sql-warehouse
          sql_warehouse:
            id: ${var.warehouse_id}
            permission: CAN_USE
      permissions:
        - level: CAN_USE
          group_name: users
targets:
  dev:
    default: true
    mode: development
"""

APP_YAML = """\
command: [uvicorn, main:app, --host, 0.0.0.0, --port, $DATABRICKS_APP_PORT]
env:
  - name: DATABRICKS_WAREHOUSE_ID
    valueFrom: sql-warehouse
"""


MAIN_PY = """\
import os

from fastapi import FastAPI

app = FastAPI()

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="0.0.0.0", port=int(os.environ["DATABRICKS_APP_PORT"]))
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "tiny"
    (root / "tests").mkdir(parents=True)
    (root / "databricks.yml").write_text(BUNDLE)
    (root / "app.yaml").write_text(APP_YAML)
    (root / "main.py").write_text(MAIN_PY)
    (root / "requirements.txt").write_text("fastapi\n")
    (root / "tests" / "test_main.py").write_text("def test_x():\n    pass\n")
    return root


def test_dry_run_prints_the_plan_without_a_workspace(cli, project: Path) -> None:
    result = cli("deploy", "-C", str(project), "--var", "warehouse_id=abc", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["app"] == "tiny-app"
    assert sorted(plan["files"]) == ["app.yaml", "databricks.yml", "main.py", "requirements.txt"]
    assert plan["resources"][0]["sql_warehouse"]["id"] == "abc"
    assert plan["user_api_scopes"] == ["sql"]
    assert plan["source_code_path"] == "/Workspace/Users/<you>/.bundle/tiny/dev/files"


def test_missing_warehouse_variable_is_rejected_naming_the_field(cli, project: Path) -> None:
    result = cli("deploy", "-C", str(project), "--dry-run")
    assert result.exit_code == 2
    assert "resources.apps.tiny.resources[0].sql_warehouse.id" in result.stderr
    assert "--var warehouse_id=" in result.stderr


def test_bundle_variable_from_environment_is_used(cli, project: Path) -> None:
    result = cli(
        "deploy",
        "-C",
        str(project),
        "--dry-run",
        "--json",
        env={"BUNDLE_VAR_warehouse_id": "envwh"},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["resources"][0]["sql_warehouse"]["id"] == "envwh"


def test_broken_app_yaml_stops_deploy_naming_the_field(cli, project: Path) -> None:
    (project / "app.yaml").write_text("command: uvicorn main:app\n")
    result = cli("deploy", "-C", str(project), "--var", "warehouse_id=abc", "--dry-run")
    assert result.exit_code == 2
    assert "app.yaml: command: must be a list" in result.stderr


def test_value_from_must_name_a_declared_resource(cli, project: Path) -> None:
    (project / "app.yaml").write_text(
        APP_YAML.replace("valueFrom: sql-warehouse", "valueFrom: warehouse")
    )
    result = cli("deploy", "-C", str(project), "--var", "warehouse_id=abc", "--dry-run")
    assert result.exit_code == 2
    assert "app.yaml: env[0].valueFrom: 'warehouse' is not a resource" in result.stderr


def test_deploy_creates_uploads_deploys_and_prints_the_url(ws_cli, emulator, project: Path) -> None:
    result = ws_cli(
        "deploy", "-C", str(project), "--var", f"warehouse_id={emulator.warehouse_id}", "--json"
    )
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert outcome["state"] == "SUCCEEDED"
    # the emulator really runs the app: its URL is the local port the app answers on
    assert outcome["url"].startswith("http://127.0.0.1:")
    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(outcome["url"] + "/nothing-here", timeout=10)
    assert answered.value.code == 404 and "Not Found" in answered.value.read().decode()
    w = WorkspaceClient(host=emulator.host, token=emulator.admin_token, auth_type="pat")
    app = w.apps.get("tiny-app")
    assert app.user_api_scopes == ["sql"]
    assert app.resources and app.resources[0].sql_warehouse.id == emulator.warehouse_id
    assert app.active_deployment.source_code_path == outcome["source_code_path"]
    uploaded = {o.path.rsplit("/", 1)[1] for o in w.workspace.list(outcome["source_code_path"])}
    assert uploaded == {"app.yaml", "databricks.yml", "main.py", "requirements.txt"}
    permissions = w.apps.get_permissions("tiny-app").access_control_list
    assert any(p.group_name == "users" for p in permissions)


def test_redeploy_updates_config_without_losing_scopes(ws_cli, emulator, project: Path) -> None:
    args = ("deploy", "-C", str(project), "--var", f"warehouse_id={emulator.warehouse_id}")
    assert ws_cli(*args).exit_code == 0
    (project / "databricks.yml").write_text(BUNDLE.replace("A tiny app", "A tinier app"))
    again = ws_cli(*args)
    assert again.exit_code == 0, again.output
    assert "updating resources and scopes" in again.stderr
    w = WorkspaceClient(host=emulator.host, token=emulator.admin_token, auth_type="pat")
    app = w.apps.get("tiny-app")
    assert app.description == "A tinier app"
    assert app.user_api_scopes == ["sql"]
    assert len(list(w.apps.list_deployments("tiny-app"))) == 2


def test_deploy_to_someone_elses_app_is_denied_with_exit_4(ws_cli, emulator, project: Path) -> None:
    assert ws_cli("deploy", "create-app", "tiny-app").exit_code == 0
    dave = emulator.add_principal("dave@example.com")
    result = ws_cli(
        "deploy",
        "-C",
        str(project),
        "--var",
        f"warehouse_id={emulator.warehouse_id}",
        env={"DATABRICKS_TOKEN": dave["token"]},
    )
    assert result.exit_code == 4, result.output
    assert result.stderr.startswith("error: deploy app tiny-app:")


def test_create_app_and_list_apps(ws_cli, emulator) -> None:
    created = ws_cli(
        "deploy", "create-app", "risk-app", "--warehouse-id", emulator.warehouse_id, "--json"
    )
    assert created.exit_code == 0, created.output
    assert json.loads(created.stdout)["compute"] == "ACTIVE"
    listed = ws_cli("deploy", "list-apps", "--json")
    assert [a["name"] for a in json.loads(listed.stdout)] == ["risk-app"]
    again = ws_cli("deploy", "create-app", "risk-app")
    assert again.exit_code == 1
    assert "already exists" in again.stderr


def test_create_app_rejects_a_bad_name_before_calling_the_workspace(cli) -> None:
    result = cli("deploy", "create-app", "Risk_App")
    assert result.exit_code == 2
    assert "not a valid app name" in result.stderr


def test_bundle_config_becomes_the_uploaded_app_yaml(ws_cli, emulator, project: Path) -> None:
    (project / "app.yaml").unlink()
    bundle = BUNDLE.replace(
        "      source_code_path: .\n",
        "      source_code_path: .\n"
        "      config:\n"
        "        command: [python, main.py]\n"
        "        env:\n"
        "          - name: DATABRICKS_WAREHOUSE_ID\n"
        "            value_from: sql-warehouse\n",
    )
    (project / "databricks.yml").write_text(bundle)
    args = ("deploy", "-C", str(project), "--var", f"warehouse_id={emulator.warehouse_id}")
    result = ws_cli(*args, "--json")
    assert result.exit_code == 0, result.output
    path = json.loads(result.stdout)["source_code_path"]
    w = WorkspaceClient(host=emulator.host, token=emulator.admin_token, auth_type="pat")
    uploaded = w.workspace.download(f"{path}/app.yaml").read().decode()
    assert "command:\n- python\n- main.py" in uploaded
    assert "valueFrom: sql-warehouse" in uploaded


def test_target_resources_override_the_top_level_ones(cli, project: Path) -> None:
    bundle = BUNDLE + (
        "  prod:\n"
        "    mode: production\n"
        "    resources:\n"
        "      apps:\n"
        "        tiny:\n"
        "          name: tiny-app-prod\n"
    )
    (project / "databricks.yml").write_text(bundle)
    args = ("deploy", "-C", str(project), "--var", "warehouse_id=abc", "--dry-run", "--json")
    prod = json.loads(cli(*args, "--target", "prod").stdout)
    assert prod["app"] == "tiny-app-prod"
    assert prod["source_code_path"] == "/Workspace/Users/<you>/.bundle/tiny/prod/files"
    assert json.loads(cli(*args).stdout)["app"] == "tiny-app"


def test_unknown_target_is_a_usage_error(cli, project: Path) -> None:
    result = cli(
        "deploy", "-C", str(project), "--var", "warehouse_id=a", "--target", "qa", "--dry-run"
    )
    assert result.exit_code == 2
    assert "databricks.yml: targets: has no target 'qa'" in result.stderr


def test_unreachable_workspace_fails_with_one_line(cli, project: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = cli(
        "uc",
        "list-catalogs",
        env={
            "DATABRICKS_HOST": f"http://127.0.0.1:{port}",
            "DATABRICKS_TOKEN": "dapi-x",
            "APPKIT_CLI_RETRY_TIMEOUT": "1",
        },
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: cannot reach the workspace at http://127.0.0.1:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_local_settings_and_caches_are_never_uploaded(cli, project: Path) -> None:
    (project / "config").mkdir()
    (project / "config" / ".env.dev").write_text("DATABRICKS_TOKEN=dapi-secret\n")
    (project / "config" / ".env.dev.example").write_text("# DATABRICKS_TOKEN=\n")
    (project / ".env").write_text("DATABRICKS_TOKEN=dapi-secret\n")
    (project / "__pycache__").mkdir()
    (project / "__pycache__" / "main.cpython-311.pyc").write_bytes(b"\0")
    result = cli("deploy", "-C", str(project), "--var", "warehouse_id=a", "--dry-run", "--json")
    files = json.loads(result.stdout)["files"]
    assert "config/.env.dev.example" in files
    assert not [f for f in files if f.endswith((".env", ".env.dev", ".pyc"))]


def test_deploy_starts_a_stopped_app_first(ws_cli, emulator, project: Path) -> None:
    from databricks.sdk.service.apps import App

    w = WorkspaceClient(host=emulator.host, token=emulator.admin_token, auth_type="pat")
    w.apps.create(App(name="tiny-app"), no_compute=True)
    result = ws_cli("deploy", "-C", str(project), "--var", f"warehouse_id={emulator.warehouse_id}")
    assert result.exit_code == 0, result.output
    assert "starting app tiny-app" in result.stderr
    assert result.stdout.strip().startswith("http://127.0.0.1:")  # the running app


def test_redeploy_removes_files_the_project_no_longer_has(ws_cli, emulator, project: Path) -> None:
    args = (
        "deploy",
        "-C",
        str(project),
        "--var",
        f"warehouse_id={emulator.warehouse_id}",
        "--json",
    )
    (project / "old.py").write_text("print('old')\n")
    first = ws_cli(*args)
    assert first.exit_code == 0, first.output
    (project / "old.py").unlink()
    second = ws_cli(*args)
    assert second.exit_code == 0, second.output
    assert "removed 1 stale" in second.stderr
    path = json.loads(second.stdout)["source_code_path"]
    w = WorkspaceClient(host=emulator.host, token=emulator.admin_token, auth_type="pat")
    names = {o.path.rsplit("/", 1)[1] for o in w.workspace.list(path)}
    assert "old.py" not in names and "main.py" in names


def test_deploy_with_an_unknown_warehouse_exits_3_naming_it(ws_cli, project: Path) -> None:
    result = ws_cli("deploy", "-C", str(project), "--var", "warehouse_id=nosuchwarehouse")
    assert result.exit_code == 3, result.output
    assert (
        "error: deploy app tiny-app: SQL warehouse nosuchwarehouse does not exist" in result.stderr
    )
