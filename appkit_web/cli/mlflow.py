"""``lakehouse-appkit mlflow``: MLflow tracking: experiments and runs, metrics, params, tags,
run search."""

from __future__ import annotations

import time
from typing import Any

import typer

from appkit_web.cli.app import app
from appkit_web.cli.connection import workspace_client
from appkit_web.cli.output import JSON_OPTION_HELP, emit, emit_record, note, reported

mlflow_app = typer.Typer(
    help="MLflow tracking: experiments and runs.\n\n"
    "Example: lakehouse-appkit mlflow runs search 123 --filter 'metrics.acc > 0.9'",
    no_args_is_help=True,
)
experiments_app = typer.Typer(help="MLflow experiments.", no_args_is_help=True)
runs_app = typer.Typer(help="MLflow runs.", no_args_is_help=True)
mlflow_app.add_typer(experiments_app, name="experiments")
mlflow_app.add_typer(runs_app, name="runs")
app.add_typer(mlflow_app, name="mlflow")

JsonOption = typer.Option(False, "--json", help=JSON_OPTION_HELP)


def _run_row(run: Any) -> dict[str, Any]:
    info, data = run.info, run.data
    return {
        "run_id": info.run_id,
        "run_name": info.run_name,
        "experiment_id": info.experiment_id,
        "status": info.status.value if info.status else None,
        "start_time": info.start_time,
        "metrics": {m.key: m.value for m in (data.metrics or [])} if data else {},
        "params": {p.key: p.value for p in (data.params or [])} if data else {},
        "tags": {t.key: t.value for t in (data.tags or []) if not str(t.key).startswith("mlflow.")}
        if data
        else {},
    }


@experiments_app.command("list")
def list_experiments(
    max_results: int = typer.Option(100, "--max-results", "-n", min=1, max=1000),
    as_json: bool = JsonOption,
) -> None:
    """List experiments.

    Example: lakehouse-appkit mlflow experiments list
    """
    w = workspace_client()
    with reported("list experiments"):
        rows = [e.as_dict() for e in w.experiments.search_experiments(max_results=max_results)]
    emit(
        rows, ["experiment_id", "name", "lifecycle_stage"], as_json=as_json, empty="no experiments"
    )


@experiments_app.command("get")
def get_experiment(experiment_id: str = typer.Argument(...), as_json: bool = JsonOption) -> None:
    """Show one experiment.

    Example: lakehouse-appkit mlflow experiments get 123
    """
    w = workspace_client()
    with reported(f"get experiment {experiment_id}"):
        found = w.experiments.get_experiment(experiment_id).experiment
    emit_record(found.as_dict() if found else {}, as_json=as_json)


@experiments_app.command("create")
def create_experiment(
    name: str = typer.Argument(..., help="e.g. /Users/me@example.com/churn"),
) -> None:
    """Create an experiment and print its id.

    Example: lakehouse-appkit mlflow experiments create /Shared/churn
    """
    w = workspace_client()
    with reported(f"create experiment {name}"):
        created = w.experiments.create_experiment(name)
    typer.echo(created.experiment_id)


@runs_app.command("create")
def create_run(
    experiment_id: str = typer.Argument(...),
    run_name: str | None = typer.Option(None, "--name", help="The run's name."),
) -> None:
    """Start a run in an experiment and print its id.

    Example: lakehouse-appkit mlflow runs create 123 --name baseline
    """
    w = workspace_client()
    with reported(f"create a run in experiment {experiment_id}"):
        created = w.experiments.create_run(
            experiment_id=experiment_id, run_name=run_name, start_time=int(time.time() * 1000)
        )
    typer.echo(created.run.info.run_id if created.run and created.run.info else "")


@runs_app.command("get")
def get_run(run_id: str = typer.Argument(...), as_json: bool = JsonOption) -> None:
    """Show a run with its latest metrics, params and tags.

    Example: lakehouse-appkit mlflow runs get 5f1c...
    """
    w = workspace_client()
    with reported(f"get run {run_id}"):
        run = w.experiments.get_run(run_id).run
    emit_record(_run_row(run), as_json=as_json)


@runs_app.command("log-metric")
def log_metric(
    run_id: str = typer.Argument(...),
    key: str = typer.Argument(...),
    value: float = typer.Argument(...),
    step: int = typer.Option(0, "--step"),
) -> None:
    """Log one metric value (each call adds a point to its history).

    Example: lakehouse-appkit mlflow runs log-metric 5f1c... acc 0.93 --step 2
    """
    w = workspace_client()
    with reported(f"log metric {key}"):
        w.experiments.log_metric(key, value, int(time.time() * 1000), run_id=run_id, step=step)
    note(f"logged {key}={value:g} (step {step})")


@runs_app.command("log-param")
def log_param(
    run_id: str = typer.Argument(...),
    key: str = typer.Argument(...),
    value: str = typer.Argument(...),
) -> None:
    """Log a parameter (write-once per run).

    Example: lakehouse-appkit mlflow runs log-param 5f1c... lr 0.01
    """
    w = workspace_client()
    with reported(f"log param {key}"):
        w.experiments.log_param(key, value, run_id=run_id)
    note(f"logged param {key}={value}")


@runs_app.command("set-tag")
def set_tag(
    run_id: str = typer.Argument(...),
    key: str = typer.Argument(...),
    value: str = typer.Argument(...),
) -> None:
    """Set a tag on a run.

    Example: lakehouse-appkit mlflow runs set-tag 5f1c... team risk
    """
    w = workspace_client()
    with reported(f"set tag {key}"):
        w.experiments.set_tag(key, value, run_id=run_id)
    note(f"set tag {key}={value}")


@runs_app.command("end")
def end_run(
    run_id: str = typer.Argument(...),
    status: str = typer.Option("FINISHED", "--status", help="FINISHED, FAILED or KILLED."),
) -> None:
    """Mark a run ended.

    Example: lakehouse-appkit mlflow runs end 5f1c...
    """
    from databricks.sdk.service.ml import UpdateRunStatus

    w = workspace_client()
    with reported(f"end run {run_id}"):
        w.experiments.update_run(
            run_id=run_id, status=UpdateRunStatus(status.upper()), end_time=int(time.time() * 1000)
        )
    note(f"run {run_id} {status.upper()}")


@runs_app.command("search")
def search_runs(
    experiment_ids: list[str] = typer.Argument(..., help="One or more experiment ids."),
    filter_text: str | None = typer.Option(
        None, "--filter", help="e.g. \"metrics.acc > 0.9 and params.lr = '0.1'\""
    ),
    order_by: list[str] = typer.Option(
        [], "--order-by", help="e.g. 'metrics.acc DESC'; repeatable."
    ),
    max_results: int = typer.Option(100, "--max-results", "-n", min=1, max=1000),
    as_json: bool = JsonOption,
) -> None:
    """Search runs with MLflow's filter grammar, newest first (or as --order-by says).

    Example: lakehouse-appkit mlflow runs search 123 --filter 'metrics.acc > 0.9' --order-by 'metrics.acc DESC'
    """
    w = workspace_client()
    with reported("search runs"):
        runs = w.experiments.search_runs(
            experiment_ids=experiment_ids,
            filter=filter_text,
            order_by=order_by or None,
            max_results=max_results,
        )
        rows = [_run_row(r) for r in runs]
    emit(
        rows,
        ["run_id", "run_name", "status", "metrics", "params"],
        as_json=as_json,
        empty="no runs",
    )
