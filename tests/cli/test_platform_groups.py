"""``connections``, ``notebook``, ``dashboard`` and ``mlflow`` against the emulated workspace."""

from __future__ import annotations

import json
import zipfile


def test_connections_create_list_get_delete_never_show_secrets(ws_cli) -> None:
    created = ws_cli(
        "connections", "create", "crm_pg", "--type", "postgresql",
        "-o", "host=db.internal", "-o", "port=5432", "-o", "user=app", "-o", "password=s3cret!",
        "--comment", "CRM replica", "--json",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "s3cret!" not in created.output
    listed = json.loads(ws_cli("connections", "list", "--json").stdout)
    assert [(c["name"], c["connection_type"]) for c in listed] == [("crm_pg", "POSTGRESQL")]
    shown = ws_cli("connections", "get", "crm_pg", "--json")
    info = json.loads(shown.stdout)
    assert info["options"] == {"host": "db.internal", "port": "5432", "user": "app"}
    assert "s3cret!" not in shown.output
    assert (
        ws_cli("connections", "create", "crm_pg", "--type", "POSTGRESQL", "-o", "host=x").exit_code
        == 1
    )
    assert ws_cli("connections", "create", "x", "--type", "NOPE", "-o", "host=x").exit_code == 2
    assert ws_cli("connections", "create", "x", "--type", "MYSQL").exit_code == 2
    assert ws_cli("connections", "delete", "crm_pg").exit_code == 0
    assert ws_cli("connections", "get", "crm_pg").exit_code == 3


def test_notebooks_import_list_and_export_in_every_format(ws_cli, tmp_path) -> None:
    source = tmp_path / "etl.py"
    source.write_text("print('extract')\n\n# COMMAND ----------\n\nprint('load')\n")
    assert ws_cli("notebook", "import", "/Shared/etl", "--file", str(source)).exit_code == 0
    listed = json.loads(ws_cli("notebook", "list", "/Shared", "--json").stdout)
    assert [(o["path"], o["object_type"], o["language"]) for o in listed] == [
        ("/Shared/etl", "NOTEBOOK", "PYTHON")
    ]
    exported = ws_cli("notebook", "export", "/Shared/etl", "--format", "SOURCE")
    assert exported.stdout.startswith("# Databricks notebook source")
    assert "print('load')" in exported.stdout
    out = tmp_path / "etl.ipynb"
    assert (
        ws_cli(
            "notebook", "export", "/Shared/etl", "--format", "JUPYTER", "--output", str(out)
        ).exit_code
        == 0
    )
    cells = json.loads(out.read_text())["cells"]
    assert ["".join(c["source"]) for c in cells] == ["print('extract')", "print('load')"]
    html = ws_cli("notebook", "export", "/Shared/etl", "--format", "HTML")
    assert html.stdout.startswith("<!DOCTYPE html>") and "print(&#x27;load&#x27;)" in html.stdout
    archive = tmp_path / "etl.dbc"
    assert (
        ws_cli("notebook", "export", "/Shared/etl", "-f", "DBC", "-o", str(archive)).exit_code == 0
    )
    with zipfile.ZipFile(archive) as dbc:
        document = json.loads(dbc.read(dbc.namelist()[0]))
    assert [c["command"] for c in document["commands"]] == ["print('extract')", "print('load')"]
    assert ws_cli("notebook", "export", "/Shared/etl", "--format", "DBC").exit_code == 2
    again = ws_cli("notebook", "import", "/Shared/etl2", "--file", str(out), "--format", "JUPYTER")
    assert again.exit_code == 0, again.output
    assert "print('load')" in ws_cli("notebook", "export", "/Shared/etl2").stdout
    assert ws_cli("notebook", "export", "/Shared/missing").exit_code == 3


def test_dashboards_are_created_from_a_file_and_published(ws_cli, emulator, tmp_path) -> None:
    definition = tmp_path / "sales.lvdash.json"
    definition.write_text(json.dumps({"pages": [{"name": "p1", "displayName": "Sales"}]}))
    created = ws_cli("dashboard", "create", "--file", str(definition), "--json")
    assert created.exit_code == 0, created.output
    dashboard = json.loads(created.stdout)
    assert dashboard["display_name"] == "sales"
    listed = json.loads(ws_cli("dashboard", "list", "--json").stdout)
    assert [d["dashboard_id"] for d in listed] == [dashboard["dashboard_id"]]
    copy = tmp_path / "copy.lvdash.json"
    assert (
        ws_cli("dashboard", "get", dashboard["dashboard_id"], "--definition", str(copy)).exit_code
        == 0
    )
    assert json.loads(copy.read_text()) == json.loads(definition.read_text())
    assert ws_cli("dashboard", "get-published", dashboard["dashboard_id"]).exit_code == 3
    published = ws_cli(
        "dashboard", "publish", dashboard["dashboard_id"], "--viewer-credentials", "--json"
    )
    assert published.exit_code == 0, published.output
    shown = json.loads(
        ws_cli("dashboard", "get-published", dashboard["dashboard_id"], "--json").stdout
    )
    assert shown["embed_credentials"] is False and shown["warehouse_id"] == emulator.warehouse_id
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    assert ws_cli("dashboard", "create", "--file", str(bad)).exit_code == 2


def test_mlflow_experiments_runs_metrics_and_search(ws_cli) -> None:
    experiment = ws_cli("mlflow", "experiments", "create", "/Shared/churn").stdout.strip()
    assert experiment
    listed = json.loads(ws_cli("mlflow", "experiments", "list", "--json").stdout)
    assert [e["name"] for e in listed] == ["/Shared/churn"]
    runs = []
    for name, accuracy in (("baseline", "0.81"), ("tuned", "0.93")):
        run = ws_cli("mlflow", "runs", "create", experiment, "--name", name).stdout.strip()
        assert ws_cli("mlflow", "runs", "log-metric", run, "acc", accuracy).exit_code == 0
        assert ws_cli("mlflow", "runs", "log-param", run, "lr", "0.1").exit_code == 0
        assert ws_cli("mlflow", "runs", "set-tag", run, "team", "risk").exit_code == 0
        assert ws_cli("mlflow", "runs", "end", run).exit_code == 0
        runs.append(run)
    shown = json.loads(ws_cli("mlflow", "runs", "get", runs[1], "--json").stdout)
    assert (shown["status"], shown["metrics"], shown["params"], shown["tags"]) == (
        "FINISHED", {"acc": 0.93}, {"lr": "0.1"}, {"team": "risk"},
    )  # fmt: skip
    found = ws_cli(
        "mlflow", "runs", "search", experiment, "--filter", "metrics.acc > 0.9", "--json"
    )
    assert [r["run_name"] for r in json.loads(found.stdout)] == ["tuned"]
    ordered = ws_cli(
        "mlflow", "runs", "search", experiment, "--order-by", "metrics.acc ASC", "--json"
    )
    assert [r["run_name"] for r in json.loads(ordered.stdout)] == ["baseline", "tuned"]
    assert ws_cli("mlflow", "runs", "log-param", runs[0], "lr", "0.2").exit_code == 1
    assert ws_cli("mlflow", "runs", "get", "ffffffff").exit_code == 3
    assert ws_cli("mlflow", "runs", "search", experiment, "--filter", "nonsense").exit_code == 1
