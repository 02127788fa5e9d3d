"""Deploying to the emulated workspace runs the app: its app.yaml command, on a local port,
with the Apps environment; its URL answers, ``apps logs`` shows its output, and an app that
cannot start fails the deploy with its last output."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.service.apps import AppAccessControlRequest, AppPermissionLevel

BUNDLE = """\
bundle:
  name: {name}
variables:
  warehouse_id:
    description: the SQL warehouse
resources:
  apps:
    app:
      name: {name}
      description: an app that runs
      source_code_path: .
      resources:
        - name: sql-warehouse
          sql_warehouse:
            id: ${{var.warehouse_id}}
            permission: CAN_USE
targets:
  dev:
    default: true
    mode: development
"""

ECHO_APP = """\
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

SHOWN = ("DATABRICKS_APP_NAME", "DATABRICKS_APP_PORT", "DATABRICKS_HOST",
         "DATABRICKS_WORKSPACE_ID", "DATABRICKS_WAREHOUSE_ID", "DATABRICKS_CLIENT_ID")


class Echo(BaseHTTPRequestHandler):
    def do_GET(self):
        body = {name: os.environ.get(name) for name in SHOWN}
        body["has_client_secret"] = bool(os.environ.get("DATABRICKS_CLIENT_SECRET"))
        body["others"] = sorted(k for k in os.environ if k.startswith(("APPKIT_", "PYTEST")))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())


print("echo app listening", flush=True)
HTTPServer(("0.0.0.0", int(os.environ["DATABRICKS_APP_PORT"])), Echo).serve_forever()
"""

APP_YAML = """\
command: [python, app.py]
env:
  - name: DATABRICKS_WAREHOUSE_ID
    valueFrom: sql-warehouse
"""


def _project(root: Path, name: str, app_py: str) -> Path:
    root.mkdir()
    (root / "databricks.yml").write_text(BUNDLE.format(name=name))
    (root / "app.yaml").write_text(APP_YAML)
    (root / "app.py").write_text(app_py)
    return root


def _deploy(ws_cli, emulator, project: Path):
    return ws_cli(
        "deploy", "-C", str(project), "--var", f"warehouse_id={emulator.warehouse_id}", "--json"
    )


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def test_the_app_runs_with_the_apps_environment_and_its_url_answers(
    ws_cli, emulator, tmp_path: Path
) -> None:
    project = _project(tmp_path / "echo", "echo-app", ECHO_APP)
    result = _deploy(ws_cli, emulator, project)
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    seen = json.loads(_get(outcome["url"]))
    assert seen["DATABRICKS_APP_NAME"] == "echo-app"
    assert outcome["url"].endswith(f":{seen['DATABRICKS_APP_PORT']}")
    assert seen["DATABRICKS_HOST"] == emulator.host
    assert seen["DATABRICKS_WAREHOUSE_ID"] == emulator.warehouse_id  # valueFrom resolved
    assert seen["has_client_secret"] and seen["DATABRICKS_CLIENT_ID"]
    assert seen["others"] == []  # nothing of the deploying process's environment leaks in
    w = WorkspaceClient(host=emulator.host, token=emulator.admin_token, auth_type="pat")
    app = w.apps.get("echo-app")
    assert app.service_principal_client_id == seen["DATABRICKS_CLIENT_ID"]
    assert app.app_status.state.value == "RUNNING"

    logs = ws_cli("apps", "logs", "echo-app")
    assert logs.exit_code == 0, logs.output
    assert "echo app listening" in logs.stdout

    w.apps.stop("echo-app")
    with pytest.raises(OSError):
        _get(outcome["url"])


def test_an_app_that_cannot_import_fails_the_deploy_with_its_output(
    ws_cli, emulator, tmp_path: Path
) -> None:
    broken = "import no_such_module_anywhere\n"
    project = _project(tmp_path / "broken", "broken-app", broken)
    result = _deploy(ws_cli, emulator, project)
    assert result.exit_code == 1
    assert "App failed to start" in result.stderr
    assert "ModuleNotFoundError: No module named 'no_such_module_anywhere'" in result.stderr
    logs = ws_cli("apps", "logs", "broken-app")
    assert "ModuleNotFoundError" in logs.stdout


def test_an_app_that_exits_after_starting_is_crashed(ws_cli, emulator, tmp_path: Path) -> None:
    stopper = ECHO_APP.replace(
        "serve_forever()", "handle_request()"
    )  # answers the start-up probe once, then exits
    project = _project(tmp_path / "brief", "brief-app", stopper)
    assert _deploy(ws_cli, emulator, project).exit_code == 0
    w = WorkspaceClient(host=emulator.host, token=emulator.admin_token, auth_type="pat")
    deadline = time.monotonic() + 20
    while w.apps.get("brief-app").app_status.state.value != "CRASHED":
        assert time.monotonic() < deadline, "the exit was not noticed"
        time.sleep(0.2)
    assert "exited with code 0" in w.apps.get("brief-app").app_status.message


def test_a_generated_project_deployed_to_the_emulator_serves_its_api(
    ws_cli, emulator, tmp_path: Path
) -> None:
    project = tmp_path / "ledger-api"
    made = ws_cli("create", "ledger-api", "-t", "api", "--dir", str(project),
                  "--toolkit-spec", "lakehouse-appkit==0.1.0")  # fmt: skip
    assert made.exit_code == 0, made.output
    result = _deploy(ws_cli, emulator, project)
    assert result.exit_code == 0, result.output
    url = json.loads(result.stdout)["url"]
    request = urllib.request.Request(f"{url}/api/health", headers={"X-Request-Id": "deployed-1"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response) == {"status": "ok"}
    logs = ws_cli("apps", "logs", "ledger-api", "--tail", "50").stdout.splitlines()
    access = [json.loads(line) for line in logs if "deployed-1" in line]
    assert access and access[0]["logger"] == "appkit_web.access"


def test_apps_logs_of_an_unknown_app_is_not_found(ws_cli) -> None:
    result = ws_cli("apps", "logs", "nobody-app")
    assert result.exit_code == 3


def test_apps_logs_needs_a_workspace_admin_on_the_emulator(
    ws_cli, emulator, tmp_path: Path
) -> None:
    project = _project(tmp_path / "echo", "echo-app", ECHO_APP)
    assert _deploy(ws_cli, emulator, project).exit_code == 0
    erin = emulator.add_principal("erin@example.com")
    w = WorkspaceClient(host=emulator.host, token=emulator.admin_token, auth_type="pat")
    w.apps.update_permissions(
        "echo-app",
        access_control_list=[AppAccessControlRequest(user_name="erin@example.com",
                                                     permission_level=AppPermissionLevel.CAN_USE)],
    )  # fmt: skip
    result = ws_cli("apps", "logs", "echo-app", env={"DATABRICKS_TOKEN": erin["token"]})
    assert result.exit_code == 4, result.output
