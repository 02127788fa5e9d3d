"""The workspace side of ``deploy``: ensure the app, upload, set permissions, deploy and wait.

An existing app's description, resources and ``user_api_scopes`` are updated
together: the service replaces the whole config, so sending only part of it
would wipe the rest (scopes in particular).
"""

from __future__ import annotations

import base64
import posixpath

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
from databricks.sdk.service.workspace import ImportFormat, ObjectType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from appkit_web.bundle import ProjectSpec
from appkit_web.cli.deploy_plan import DeployPlan, upload_contents
from appkit_web.cli.output import note, stderr_console
from appkit_web.cli.progress import wait_for


def compute_state(found: App) -> ComputeState | None:
    return found.compute_status.state if found.compute_status else None


def ensure_app(
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
        if compute_state(current) in (ComputeState.STOPPED, ComputeState.ERROR):
            note(f"starting app {plan.app_name}")
            w.apps.start(plan.app_name)
    return wait_for(
        lambda: w.apps.get(plan.app_name),
        done=lambda a: compute_state(a) == ComputeState.ACTIVE,
        describe=lambda a: f"compute {getattr(compute_state(a), 'value', 'unknown')}",
        what=f"app {plan.app_name}",
        timeout=timeout,
    )


def upload(w: WorkspaceClient, project: ProjectSpec, plan: DeployPlan) -> None:
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
    removed = _remove_stale(w, plan)
    extra = f", removed {removed} stale" if removed else ""
    note(f"uploaded {len(plan.files)} files to {plan.workspace_path}{extra}")


def _api_path(path: str) -> str:
    """The Workspace API spells ``/Workspace/Users/x`` as ``/Users/x``."""
    return path[len("/Workspace") :] if path.startswith("/Workspace/") else path


def _remove_stale(w: WorkspaceClient, plan: DeployPlan) -> int:
    """Delete files under the upload folder that the project no longer has (a snapshot
    deploys the whole folder, so leftovers would ship)."""
    root = _api_path(plan.workspace_path).rstrip("/")
    keep = set(plan.files)
    removed = 0
    for found in w.workspace.list(root, recursive=True):
        path = _api_path(found.path or "")
        relative = path[len(root) + 1 :] if path.startswith(root + "/") else ""
        if relative and found.object_type != ObjectType.DIRECTORY and relative not in keep:
            w.workspace.delete(path)
            removed += 1
    return removed


def apply_permissions(w: WorkspaceClient, plan: DeployPlan) -> None:
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


def deploy_snapshot(w: WorkspaceClient, plan: DeployPlan, timeout: float) -> AppDeployment:
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
