"""``lakehouse-appkit deploy``: validate the project locally, then ship it as a Databricks App.

Steps, each visible on stderr: validate ``app.yaml`` and ``databricks.yml``;
create the app if it does not exist (and wait for its compute), otherwise
update its description, resources and ``user_api_scopes`` together (the
service replaces the whole config, so sending only part would wipe scopes);
upload the source folder to the workspace; apply the bundle's permissions;
deploy a snapshot and wait for it; print the URL.
"""

from __future__ import annotations

from pathlib import Path

import typer
from databricks.sdk.service.apps import (
    App,
    AppDeploymentState,
    AppResource,
    ComputeState,
)

from appkit_web.bundle import ConfigProblem, ProjectSpec, load_project
from appkit_web.cli.app import app
from appkit_web.cli.connection import workspace_client
from appkit_web.cli.deploy_plan import default_workspace_path, make_plan, print_plan
from appkit_web.cli.deploy_steps import (
    apply_permissions,
    compute_state,
    deploy_snapshot,
    ensure_app,
    upload,
)
from appkit_web.cli.output import (
    JSON_OPTION_HELP,
    ExitCode,
    emit,
    fail,
    note,
    print_json,
    reported,
)
from appkit_web.cli.progress import WaitTimedOut, wait_for

deploy_app = typer.Typer(
    help="Validate and deploy the app project in the current folder as a Databricks App.\n\n"
    "Example: lakehouse-appkit deploy --target dev --var warehouse_id=abc123",
    invoke_without_command=True,
)
app.add_typer(deploy_app, name="deploy")


def _variables(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            fail(f"deploy: --var {pair!r} must be name=value", ExitCode.USAGE)
        values[name.strip()] = value
    return values


def _project(
    project_dir: Path, target: str | None, variables: dict[str, str], app_key: str | None
) -> ProjectSpec:
    import os

    try:
        project = load_project(
            project_dir, target=target, variables=variables, app_key=app_key, environ=os.environ
        )
    except ConfigProblem as problem:
        fail(f"deploy: {problem}", ExitCode.USAGE)
    for warning in project.bundle.warnings:
        note(f"warning: {warning}")
    return project


@deploy_app.callback()
def deploy(
    ctx: typer.Context,
    project_dir: Path = typer.Option(Path("."), "--project-dir", "-C", help="The project folder."),
    target: str | None = typer.Option(
        None, "--target", "-t", help="Bundle target (default: the default one)."
    ),
    app_key: str | None = typer.Option(
        None, "--app", help="Which app of the bundle, when it declares several."
    ),
    var: list[str] = typer.Option([], "--var", help="A bundle variable name=value; repeatable."),
    workspace_path: str | None = typer.Option(
        None, "--workspace-path", help="Workspace folder for the source (default: the bundle's)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Validate and print the plan; change nothing."
    ),
    timeout: float = typer.Option(
        1200.0, "--timeout", min=1, help="Seconds to wait for each step."
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Validate app.yaml and databricks.yml, upload the source, deploy, wait, print the URL.

    Example: lakehouse-appkit deploy --var warehouse_id=abc123 --dry-run
    """
    if ctx.invoked_subcommand is not None:
        return
    project = _project(project_dir, target, _variables(var), app_key)
    if dry_run:
        path = workspace_path or default_workspace_path(project, "<you>")
        print_plan(make_plan(project, path), as_json)
        return
    w = workspace_client()
    action = f"deploy app {project.app.name}"
    with reported(action):
        user_name = w.current_user.me().user_name or ""
        plan = make_plan(project, workspace_path or default_workspace_path(project, user_name))
        try:
            ensure_app(w, plan, project.app.description, timeout)
            upload(w, project, plan)
            apply_permissions(w, plan)
            final = deploy_snapshot(w, plan, timeout)
        except WaitTimedOut as exc:
            fail(f"{action}: {exc}", ExitCode.FAILURE)
        deployed = w.apps.get(plan.app_name)
    status = final.status
    if status is None or status.state != AppDeploymentState.SUCCEEDED:
        message = status.message if status and status.message else "no status"
        fail(
            f"{action}: deployment {final.deployment_id} ended {getattr(status, 'state', None)}: {message}"
        )
    result = {
        "app": plan.app_name,
        "url": deployed.url,
        "deployment_id": final.deployment_id,
        "state": status.state.value if status.state else None,
        "source_code_path": plan.workspace_path,
    }
    if as_json:
        print_json(result)
    else:
        note(f"deployed {plan.app_name}: {status.message or 'succeeded'}")
        typer.echo(deployed.url or "")


@deploy_app.command("list-apps")
def list_apps(as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP)) -> None:
    """List the apps in the workspace with their state and URL.

    Example: lakehouse-appkit deploy list-apps --json
    """
    w = workspace_client()
    with reported("list apps"):
        rows = [
            {
                "name": a.name,
                "compute": getattr(compute_state(a), "value", None),
                "status": a.app_status.state.value if a.app_status and a.app_status.state else None,
                "url": a.url,
            }
            for a in w.apps.list()
        ]
    emit(rows, ["name", "compute", "status", "url"], as_json=as_json, empty="no apps")


@deploy_app.command("create-app")
def create_app(
    name: str = typer.Argument(..., help="App name: 2-30 lowercase letters, digits and hyphens."),
    description: str | None = typer.Option(None, "--description", help="Shown in the Apps list."),
    warehouse_id: str | None = typer.Option(
        None, "--warehouse-id", help="Bind a SQL warehouse as resource sql-warehouse (CAN_USE)."
    ),
    no_wait: bool = typer.Option(False, "--no-wait", help="Return before the compute is active."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Create an empty app (no deployment yet), optionally bound to a SQL warehouse.

    Example: lakehouse-appkit deploy create-app risk-overrides --warehouse-id abc123
    """
    from appkit_web.bundle.bundle import APP_NAME

    if not APP_NAME.match(name):
        fail(
            f"create app: {name!r} is not a valid app name (2-30 lowercase letters, digits, hyphens)",
            ExitCode.USAGE,
        )
    resources = (
        [
            AppResource.from_dict(
                {
                    "name": "sql-warehouse",
                    "sql_warehouse": {"id": warehouse_id, "permission": "CAN_USE"},
                }
            )
        ]
        if warehouse_id
        else None
    )
    w = workspace_client()
    with reported(f"create app {name}"):
        w.apps.create(
            App(
                name=name,
                description=description,
                resources=resources,
                user_api_scopes=["sql"] if warehouse_id else None,
            )
        )
        created = w.apps.get(name)
        if not no_wait:
            created = wait_for(
                lambda: w.apps.get(name),
                done=lambda a: compute_state(a) == ComputeState.ACTIVE,
                describe=lambda a: f"compute {getattr(compute_state(a), 'value', 'unknown')}",
                what=f"app {name}",
            )
    summary = {
        "name": created.name,
        "url": created.url,
        "compute": getattr(compute_state(created), "value", None),
    }
    if as_json:
        print_json(summary)
    else:
        note(f"created app {name}")
        typer.echo(created.url or "")
