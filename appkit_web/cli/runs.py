"""``lakehouse-appkit runs``: one run's state and task output, repair a run, cancel a job's runs."""

from __future__ import annotations

from typing import Any

import typer

from appkit_web.cli.app import app
from appkit_web.cli.connection import workspace_client
from appkit_web.cli.jobs import finish_run, parse_params, run_summary
from appkit_web.cli.output import JSON_OPTION_HELP, ExitCode, emit, fail, note, print_json, reported

runs_app = typer.Typer(
    help="Inspect, repair and cancel job runs.\n\nExample: lakehouse-appkit runs repair 1001 --all-failed",
    no_args_is_help=True,
)
app.add_typer(runs_app, name="runs")

JsonOption = typer.Option(False, "--json", help=JSON_OPTION_HELP)


@runs_app.command("get")
def get_run(run_id: int = typer.Argument(..., help="Run id."), as_json: bool = JsonOption) -> None:
    """A run's state and each task's state and output (looked up by the task's run id).

    Example: lakehouse-appkit runs get 1001
    """
    w = workspace_client()
    with reported(f"get run {run_id}"):
        run = w.jobs.get_run(run_id)
        tasks: list[dict[str, Any]] = []
        for task in run.tasks or []:
            state = task.state
            row: dict[str, Any] = {
                "task_key": task.task_key,
                "task_run_id": task.run_id,
                "state": state.life_cycle_state.value if state and state.life_cycle_state else None,
                "result": state.result_state.value if state and state.result_state else None,
                "output": None,
            }
            if row["result"] is not None and task.run_id:
                output = w.jobs.get_run_output(task.run_id)
                notebook = output.notebook_output
                row["output"] = output.error or (notebook.result if notebook else None)
            tasks.append(row)
    if as_json:
        print_json({**run_summary(run), "tasks": tasks})
        return
    note(f"run {run_id}: {run_summary(run)['life_cycle_state']}/{run_summary(run)['result_state']}")
    emit(tasks, ["task_key", "task_run_id", "state", "result", "output"], as_json=False,
         empty="the run has no tasks")  # fmt: skip


@runs_app.command("repair")
def repair_run(
    run_id: int = typer.Argument(..., help="The ended run to repair."),
    task: list[str] = typer.Option([], "--task", "-t", help="A task key to re-run; repeatable."),
    all_failed: bool = typer.Option(False, "--all-failed", help="Re-run every failed task."),
    param: list[str] = typer.Option(
        [], "--param", "-p", help="Replace the job parameters: name=value; repeatable."
    ),
    no_wait: bool = typer.Option(False, "--no-wait", help="Print the repair id and return."),
    timeout: float = typer.Option(1200.0, "--timeout", min=1, help="Seconds to wait for the run."),
    as_json: bool = JsonOption,
) -> None:
    """Re-run tasks of an ended run and wait for it (exit 1 unless it then succeeds).

    Example: lakehouse-appkit runs repair 1001 --task post -p as_of=2026-11-30
    """
    if not task and not all_failed:
        fail("runs repair: name --task KEY (repeatable) or --all-failed", ExitCode.USAGE)
    params = parse_params(param, "runs repair")
    w = workspace_client()
    action = f"repair run {run_id}"
    with reported(action):
        repaired = w.jobs.repair_run(
            run_id,
            rerun_tasks=task or None,
            rerun_all_failed_tasks=all_failed or None,
            job_parameters=params or None,
        )
        repair_id = repaired.response.repair_id  # type: ignore[attr-defined]
    if no_wait:
        if as_json:
            print_json({"run_id": run_id, "repair_id": repair_id})
        else:
            typer.echo(str(repair_id))
        return
    note(f"repair {repair_id} of run {run_id} started")
    finish_run(w, run_id, action=action, timeout=timeout, as_json=as_json)


@runs_app.command("cancel-all")
def cancel_all(
    job_id: int = typer.Argument(..., help="Job id whose active runs to cancel."),
) -> None:
    """Cancel every active run of a job.

    Example: lakehouse-appkit runs cancel-all 101
    """
    w = workspace_client()
    with reported(f"cancel the runs of job {job_id}"):
        w.jobs.cancel_all_runs(job_id=job_id)
    note(f"cancellation of every active run of job {job_id} requested")
