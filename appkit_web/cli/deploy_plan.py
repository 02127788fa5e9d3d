"""A deployment plan: what ``deploy`` will create, upload and run, computed without a workspace."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

import typer
import yaml

from appkit_web.bundle import ProjectSpec
from appkit_web.cli.output import print_json, stderr_console


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


def print_plan(plan: DeployPlan, as_json: bool) -> None:
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
