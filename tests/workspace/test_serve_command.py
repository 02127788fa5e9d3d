"""``lakehouse-appkit workspace serve`` prints exportable settings and serves the SDK."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from databricks.sdk import WorkspaceClient
from typer.testing import CliRunner

from appkit_testing.workspace.config import load_principals
from appkit_web.cli import app


def test_help_shows_an_example() -> None:
    result = CliRunner().invoke(app, ["workspace", "serve", "--help"])
    assert result.exit_code == 0
    assert "export $(cat emulator.env)" in result.output


def test_serve_prints_export_lines_and_answers_the_sdk(tmp_path: Path) -> None:
    principals = tmp_path / "people.yaml"
    principals.write_text("principals:\n  - name: alice@example.com\n    token: dapi-alice\n")
    command = [
        str(Path(sys.executable).with_name("lakehouse-appkit")),
        "workspace",
        "serve",
        "--port",
        "0",
        "--principals",
        str(principals),
        "--seed",
        "3",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        lines = dict(process.stdout.readline().strip().split("=", 1) for _ in range(3))
        assert lines["DATABRICKS_HOST"].startswith("http://127.0.0.1:")
        assert lines["DATABRICKS_TOKEN"].startswith("dapi")
        admin = WorkspaceClient(
            host=lines["DATABRICKS_HOST"], token=lines["DATABRICKS_TOKEN"], auth_type="pat"
        )
        assert admin.current_user.me().user_name == "admin@example.com"
        alice = WorkspaceClient(host=lines["DATABRICKS_HOST"], token="dapi-alice", auth_type="pat")
        assert alice.current_user.me().user_name == "alice@example.com"
        response = admin.statement_execution.execute_statement(
            "SELECT 1 AS one", lines["DATABRICKS_WAREHOUSE_ID"]
        )
        assert response.result.data_array == [["1"]]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert process.returncode == 0


def test_principals_file_accepts_json_lists(tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    path.write_text('[{"name": "sp-1", "kind": "service_principal", "client_secret": "s"}]')
    (spec,) = load_principals(path)
    assert (spec.name, spec.kind, spec.client_secret) == ("sp-1", "service_principal", "s")


def test_data_directory_keeps_tables_across_restarts(tmp_path: Path) -> None:
    from appkit_testing.workspace import start_in_thread

    with start_in_thread(data_dir=tmp_path) as first:
        first.sql("CREATE TABLE main.default.kept (id INT)")
        first.sql("INSERT INTO main.default.kept VALUES (7)")
    with start_in_thread(data_dir=tmp_path) as second:
        client = WorkspaceClient(host=second.host, token=second.admin_token, auth_type="pat")
        response = client.statement_execution.execute_statement(
            "SELECT id FROM main.default.kept", second.warehouse_id
        )
        assert response.result.data_array == [["7"]]
