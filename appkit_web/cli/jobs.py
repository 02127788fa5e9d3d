"""``lakehouse-appkit jobs``: list, inspect, run and cancel Databricks jobs."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path
from typing import Any

import typer
import yaml
from databricks.sdk.service.jobs import JobSettings, Run, RunLifeCycleState

from appkit_web.cli.app import app
from appkit_web.cli.connection import workspace_client
from appkit_web.cli.output import (
    JSON_OPTION_HELP,
    ExitCode,
    emit,
    emit_record,
    fail,
    note,
    one_line,
    print_json,
    reported,
)
from appkit_web.cli.progress import WaitTimedOut, wait_for

jobs_app = typer.Typer(
    help="List, inspect, run and cancel jobs.\n\nExample: lakehouse-appkit jobs run 123",
    no_args_is_help=True,
)
app.add_typer(jobs_app, name="jobs")

JsonOption = typer.Option(False, "--json", help=JSON_OPTION_HELP)
_FINISHED = {
    RunLifeCycleState.TERMINATED,
    RunLifeCycleState.SKIPPED,
    RunLifeCycleState.INTERNAL_ERROR,
}


def _lifecycle(run: Run) -> RunLifeCycleState | None:
    return run.state.life_cycle_state if run.state else None


def run_summary(run: Run) -> dict[str, Any]:
    state = run.state
    return {
        "run_id": run.run_id,
        "job_id": run.job_id,
        "life_cycle_state": state.life_cycle_state.value
        if state and state.life_cycle_state
        else None,
        "result_state": state.result_state.value if state and state.result_state else None,
        "state_message": state.state_message if state else None,
        "run_page_url": run.run_page_url,
    }


@jobs_app.command("list")
def list_jobs(
    name: str | None = typer.Option(None, "--name", help="Only jobs with exactly this name."),
    limit: int = typer.Option(25, "--limit", min=1, help="At most this many jobs."),
    as_json: bool = JsonOption,
) -> None:
    """List jobs (at most --limit, oldest first).

    Example: lakehouse-appkit jobs list --name nightly-dq --limit 10
    """
    w = workspace_client()
    with reported("list jobs"):
        rows = [
            {
                "job_id": job.job_id,
                "name": job.settings.name if job.settings else None,
                "creator": job.creator_user_name,
            }
            for job in islice(w.jobs.list(name=name, limit=min(limit, 100)), limit)
        ]
    emit(rows, ["job_id", "name", "creator"], as_json=as_json, empty="no jobs")


def read_definition(path: Path) -> dict[str, Any]:
    """A job definition from a JSON or YAML file (the ``jobs/create`` body); exits 2 if unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"jobs create: cannot read {path}: {exc.strerror or exc}", ExitCode.USAGE)
    try:
        loaded = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        fail(f"jobs create: {path} is not valid JSON or YAML: {one_line(str(exc))}", ExitCode.USAGE)
    if not isinstance(loaded, dict) or not loaded.get("name"):
        fail(f"jobs create: {path} must hold a job definition with a name", ExitCode.USAGE)
    return loaded


@jobs_app.command("create")
def create_job(
    definition: Path = typer.Argument(
        ..., help="A JSON or YAML job definition (jobs/create body)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Create a job from a JSON or YAML definition; prints its id.

    Example: lakehouse-appkit jobs create month-end.yaml
    """
    settings = JobSettings.from_dict(read_definition(definition))
    w = workspace_client()
    with reported(f"create job {settings.name}"):
        created = w.api_client.do("POST", "/api/2.2/jobs/create", body=settings.as_dict())
    job_id = created.get("job_id") if isinstance(created, dict) else None
    if as_json:
        print_json({"job_id": job_id, "name": settings.name})
    else:
        typer.echo(str(job_id))


@jobs_app.command("get")
def get_job(job_id: int = typer.Argument(..., help="Job id."), as_json: bool = JsonOption) -> None:
    """Show one job's settings.

    Example: lakehouse-appkit jobs get 123 --json
    """
    w = workspace_client()
    with reported(f"get job {job_id}"):
        job = w.jobs.get(job_id)
    data: dict[str, Any] = job.as_dict()
    if as_json:
        print_json(data)
        return
    settings = data.get("settings", {})
    emit_record(
        {
            "job_id": data.get("job_id"),
            "name": settings.get("name"),
            "creator": data.get("creator_user_name"),
            "tasks": [t.get("task_key") for t in settings.get("tasks", [])],
            "parameters": settings.get("parameters", []),
        },
        as_json=False,
        title=f"job {job_id}",
    )


def parse_params(pairs: list[str], command: str = "jobs run") -> dict[str, str]:
    """``name=value`` pairs as a mapping; exits 2 naming the first malformed one."""
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            fail(f"{command}: --param {pair!r} must be name=value", ExitCode.USAGE)
        params[name.strip()] = value
    return params


@jobs_app.command("run")
def run_job(
    job_id: int = typer.Argument(..., help="Job id."),
    param: list[str] = typer.Option(
        [], "--param", "-p", help="A job parameter name=value; repeatable."
    ),
    no_wait: bool = typer.Option(False, "--no-wait", help="Print the run id and return at once."),
    timeout: float = typer.Option(1200.0, "--timeout", min=1, help="Seconds to wait for the run."),
    as_json: bool = JsonOption,
) -> None:
    """Start a job run and wait for it with a progress display (exit 1 unless it succeeds).

    Example: lakehouse-appkit jobs run 123 -p as_of=2026-11-30
    """
    params = parse_params(param)
    w = workspace_client()
    action = f"run job {job_id}"
    with reported(action):
        started = w.jobs.run_now(job_id=job_id, job_parameters=params or None)
        run_id = started.run_id
        if run_id is None:
            fail(f"{action}: the workspace returned no run id", ExitCode.FAILURE)
    if no_wait:
        if as_json:
            print_json({"run_id": run_id, "job_id": job_id})
        else:
            typer.echo(str(run_id))
        return
    finish_run(w, run_id, action=action, timeout=timeout, as_json=as_json)


def finish_run(w: Any, run_id: int, *, action: str, timeout: float, as_json: bool) -> None:
    """Wait for the run to end with a progress display, print it; exit 1 unless it succeeded."""
    with reported(action):
        try:
            final = wait_for(
                lambda: w.jobs.get_run(run_id),
                done=lambda r: _lifecycle(r) in _FINISHED,
                describe=lambda r: (_lifecycle(r) or RunLifeCycleState.PENDING).value,
                what=f"run {run_id}",
                timeout=timeout,
            )
        except WaitTimedOut:
            fail(f"{action}: run {run_id} did not finish within {timeout:g}s (still running)")
    summary = run_summary(final)
    if as_json:
        print_json(summary)
    else:
        emit_record(summary, as_json=False, title=f"run {run_id}")
    if summary["result_state"] != "SUCCESS":
        fail(
            f"{action}: run {run_id} ended {summary['life_cycle_state']}/{summary['result_state']}",
            ExitCode.FAILURE,
        )


@jobs_app.command("cancel")
def cancel_run(run_id: int = typer.Argument(..., help="Run id.")) -> None:
    """Cancel a run (returns once the cancellation is accepted).

    Example: lakehouse-appkit jobs cancel 456
    """
    w = workspace_client()
    with reported(f"cancel run {run_id}"):
        w.jobs.cancel_run(run_id)
    note(f"cancellation of run {run_id} requested")
