"""The unmodified ``mlflow`` client, pointed at the emulated workspace as a Databricks host,
logs a run: experiment by name, params, metric history, tags, search."""

from __future__ import annotations

import pytest

from appkit_testing.workspace import EmulatedWorkspace

mlflow = pytest.importorskip("mlflow", reason="the mlflow client is not installed here")


def test_the_mlflow_client_logs_and_finds_a_run(
    fake_workspace: EmulatedWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABRICKS_HOST", fake_workspace.host)
    monkeypatch.setenv("DATABRICKS_TOKEN", fake_workspace.admin_token)
    mlflow.set_tracking_uri("databricks")
    mlflow.set_experiment("/Users/admin@example.com/churn")
    with mlflow.start_run(run_name="baseline") as run:
        mlflow.log_params({"lr": 0.1, "depth": 4})
        mlflow.log_metric("acc", 0.9, step=1)
        mlflow.log_metric("acc", 0.95, step=2)
        mlflow.set_tag("team", "risk")
    client = mlflow.MlflowClient()
    stored = client.get_run(run.info.run_id)
    assert stored.info.status == "FINISHED"
    assert stored.data.params == {"lr": "0.1", "depth": "4"}
    assert stored.data.metrics == {"acc": 0.95}
    assert stored.data.tags["team"] == "risk"
    assert [m.value for m in client.get_metric_history(run.info.run_id, "acc")] == [0.9, 0.95]
    found = mlflow.search_runs(
        experiment_names=["/Users/admin@example.com/churn"],
        filter_string="metrics.acc > 0.9 and params.depth = '4'",
        output_format="list",
    )
    assert [r.info.run_name for r in found] == ["baseline"]
