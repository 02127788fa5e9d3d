"""``lakehouse-appkit deploy``: validate the project locally, then ship it as a Databricks App.

Steps, each visible on stderr: validate ``app.yaml`` and ``databricks.yml``;
create the app if it does not exist (and wait for its compute), otherwise
update its description, resources and ``user_api_scopes`` together (the
service replaces the whole config, so sending only part would wipe scopes);
upload the source folder to the workspace; apply the bundle's permissions;
deploy a snapshot and wait for it; print the URL.
"""

from __future__ import annotations

import base64
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
import yaml
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound
from databricks.sdk.service.apps import (
    App,
    AppAccessControlRequest,
    AppDeployment,
    AppDeploymentMode,
    AppDeploymentState,
    AppPermissionLevel,
    AppResource,
    ComputeState,
)
from databricks.sdk.service.workspace import ImportFormat
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from appkit_web.bundle import ConfigProblem, ProjectSpec, load_project
from appkit_web.cli.app import app
from appkit_web.cli.connection import workspace_client
from appkit_web.cli.output import (
    JSON_OPTION_HELP,
    ExitCode,
    emit,
    fail,
    note,
    print_json,
    reported,
    stderr_console,
)
from appkit_web.cli.progress import WaitTimedOut, wait_for

deploy_app = typer.Typer(
    help="Validate and deploy the app project in the current folder as a Databricks App.\n\n"
    "Example: lakehouse-appkit deploy --target dev --var warehouse_id=abc123",
    invoke_without_command=True,
)
app.add_typer(deploy_app, name="deploy")


@dataclass(frozen=True)
class DeployPlan:
    """What a deployment will do, before it touches the workspace."""

    app_name: str
    target: str
    workspace_path: str
    files: tuple[str, ...]
    resources: tuple[dict[str, Any], ...]
    user_api_scopes: tuple[str, ...]
    permissions: tuple[dict[str, str], ...]
    command: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "app": self.app_name,
            "target": self.target,
            "source_code_path": self.workspace_path,
            "files": list(self.files),
            "resources": list(self.resources),
            "user_api_scopes": list(self.user_api_scopes),
            "permissions": list(self.permissions),
            "command": list(self.command),
        }


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


def default_workspace_path(project: ProjectSpec, user_name: str) -> str:
    """Where the source goes: the bundle's ``workspace.root_path`` (``${workspace.current_user.userName}``
    resolved) plus ``/files``, else ``/Workspace/Users/<you>/.bundle/<bundle>/<target>/files``;
    then the app's ``source_code_path`` below it."""
    root = project.bundle.root_path
    if root:
        root = root.replace("${workspace.current_user.userName}", user_name)
    else:
        root = f"/Workspace/Users/{user_name}/.bundle/{project.bundle.name}/{project.bundle.target}"
    relative = project.source_dir.relative_to(project.root.resolve()).as_posix()
    path = posixpath.join(root, "files", relative) if relative != "." else f"{root}/files"
    return posixpath.normpath(path)


def upload_contents(project: ProjectSpec) -> dict[str, bytes]:
    """Relative path -> bytes to upload. A bundle ``config`` becomes the uploaded ``app.yaml``
    (it overrides the project's own, as the bundle tooling does)."""
    contents = {
        p.as_posix(): (project.source_dir / p).read_bytes()
        for p in project.files
        if project.app.config is None or p.as_posix() not in ("app.yaml", "app.yml")
    }
    config = project.app.config
    if config is not None:
        env = [
            {"name": e.name, "value": e.value}
            if e.value is not None
            else {"name": e.name, "valueFrom": e.value_from}
            for e in config.env
        ]
        document: dict[str, Any] = {"command": list(config.command)}
        if env:
            document["env"] = env
        contents["app.yaml"] = yaml.safe_dump(document, sort_keys=False).encode()
    return dict(sorted(contents.items()))


def make_plan(project: ProjectSpec, workspace_path: str) -> DeployPlan:
    return DeployPlan(
        app_name=project.app.name,
        target=project.bundle.target,
        workspace_path=workspace_path,
        files=tuple(upload_contents(project)),
        resources=tuple(
            {"name": r.name, r.kind: dict(r.settings)}
            | ({"description": r.description} if r.description else {})
            for r in project.app.resources
        ),
        user_api_scopes=project.app.user_api_scopes,
        permissions=tuple(dict(p) for p in project.app.permissions),
        command=project.effective_spec.command,
    )


def _print_plan(plan: DeployPlan, as_json: bool) -> None:
    if as_json:
        print_json(plan.as_dict())
        return
    out = stderr_console()
    out.print(f"[bold]plan[/bold] for app [bold]{plan.app_name}[/bold] (target {plan.target}):")
    out.print("  1. create the app if missing, else update its resources and scopes")
    for resource in plan.resources:
        out.print(f"       resource {resource['name']}: {resource}")
    out.print(f"       user_api_scopes: {', '.join(plan.user_api_scopes) or '(none)'}")
    out.print(f"  2. upload {len(plan.files)} files to {plan.workspace_path}")
    if plan.permissions:
        out.print(f"  3. set permissions: {list(plan.permissions)}")
    out.print(f"  4. deploy a snapshot running: {' '.join(plan.command)}")
    for name in plan.files:
        typer.echo(name)


def _compute_state(found: App) -> ComputeState | None:
    return found.compute_status.state if found.compute_status else None


def _ensure_app(
    w: WorkspaceClient, plan: DeployPlan, description: str | None, timeout: float
) -> App:
    resources = [AppResource.from_dict(r) for r in plan.resources]
    desired = App(
        name=plan.app_name,
        description=description,
        resources=resources,
        user_api_scopes=list(plan.user_api_scopes) or None,
    )
    try:
        current = w.apps.get(plan.app_name)
    except NotFound:
        note(f"creating app {plan.app_name}")
        current = w.apps.create(desired).response
    else:
        changed = (
            [r.as_dict() for r in current.resources or []] != [r.as_dict() for r in resources]
            or list(current.user_api_scopes or []) != list(plan.user_api_scopes)
            or (current.description or None) != (description or None)
        )
        if changed:
            note(f"updating resources and scopes of app {plan.app_name}")
            w.apps.update(plan.app_name, desired)
        if _compute_state(current) in (ComputeState.STOPPED, ComputeState.ERROR):
            note(f"starting app {plan.app_name}")
            w.apps.start(plan.app_name)
    return wait_for(
        lambda: w.apps.get(plan.app_name),
        done=lambda a: _compute_state(a) == ComputeState.ACTIVE,
        describe=lambda a: f"compute {getattr(_compute_state(a), 'value', 'unknown')}",
        what=f"app {plan.app_name}",
        timeout=timeout,
    )


def _upload(w: WorkspaceClient, project: ProjectSpec, plan: DeployPlan) -> None:
    contents = upload_contents(project)
    folders = {plan.workspace_path}
    for name in plan.files:
        folders.add(posixpath.dirname(posixpath.join(plan.workspace_path, name)))
    for folder in sorted(folders):
        w.workspace.mkdirs(folder)
    columns = (
        TextColumn("uploading"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=stderr_console(), transient=True) as progress:
        task = progress.add_task("", total=len(plan.files))
        for name in plan.files:
            progress.update(task, description=name)
            content = contents[name]
            w.workspace.import_(
                posixpath.join(plan.workspace_path, name),
                content=base64.b64encode(content).decode("ascii"),
                format=ImportFormat.AUTO,
                overwrite=True,
            )
            progress.advance(task)
    note(f"uploaded {len(plan.files)} files to {plan.workspace_path}")


def _permissions(w: WorkspaceClient, plan: DeployPlan) -> None:
    if not plan.permissions:
        return
    requests = [
        AppAccessControlRequest(
            user_name=p.get("user_name"),
            group_name=p.get("group_name"),
            service_principal_name=p.get("service_principal_name"),
            permission_level=AppPermissionLevel(p["level"]),
        )
        for p in plan.permissions
    ]
    w.apps.set_permissions(plan.app_name, access_control_list=requests)
    note(f"set {len(requests)} permission(s) on app {plan.app_name}")


def _deploy_snapshot(w: WorkspaceClient, plan: DeployPlan, timeout: float) -> AppDeployment:
    started = w.apps.deploy(
        plan.app_name,
        AppDeployment(source_code_path=plan.workspace_path, mode=AppDeploymentMode.SNAPSHOT),
    )
    response: AppDeployment = started.response
    deployment_id = response.deployment_id or ""

    def state(d: AppDeployment) -> AppDeploymentState | None:
        return d.status.state if d.status else None

    return wait_for(
        lambda: w.apps.get_deployment(plan.app_name, deployment_id),
        done=lambda d: state(d) not in (None, AppDeploymentState.IN_PROGRESS),
        describe=lambda d: d.status.message if d.status and d.status.message else "deploying",
        what=f"deployment {deployment_id[:8]}",
        timeout=timeout,
    )


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
        _print_plan(make_plan(project, path), as_json)
        return
    w = workspace_client()
    action = f"deploy app {project.app.name}"
    with reported(action):
        user_name = w.current_user.me().user_name or ""
        plan = make_plan(project, workspace_path or default_workspace_path(project, user_name))
        try:
            _ensure_app(w, plan, project.app.description, timeout)
            _upload(w, project, plan)
            _permissions(w, plan)
            final = _deploy_snapshot(w, plan, timeout)
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
                "compute": getattr(_compute_state(a), "value", None),
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
                done=lambda a: _compute_state(a) == ComputeState.ACTIVE,
                describe=lambda a: f"compute {getattr(_compute_state(a), 'value', 'unknown')}",
                what=f"app {name}",
            )
    summary = {
        "name": created.name,
        "url": created.url,
        "compute": getattr(_compute_state(created), "value", None),
    }
    if as_json:
        print_json(summary)
    else:
        note(f"created app {name}")
        typer.echo(created.url or "")
