"""An emulated app and its deployments, and how the Apps API renders them."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Deployment:
    deployment_id: str
    source_code_path: str
    mode: str
    creator: str
    create_time: str
    files: tuple[str, ...]
    state: str = "IN_PROGRESS"
    message: str = "Preparing source code for new deployment."
    polls: int = 0

    def to_json(self, app_name: str) -> dict[str, Any]:
        return {
            "deployment_id": self.deployment_id,
            "source_code_path": self.source_code_path,
            "mode": self.mode,
            "creator": self.creator,
            "create_time": self.create_time,
            "update_time": self.create_time,
            "status": {"state": self.state, "message": self.message},
            "deployment_artifacts": {
                "source_code_path": f"/Workspace/Apps/{app_name}/snapshots/{self.deployment_id}"
            },
        }


@dataclass
class App:
    name: str
    description: str
    resources: list[dict[str, Any]]
    user_api_scopes: list[str]
    creator: str
    create_time: str
    url: str
    service_principal_id: int
    service_principal_client_id: str
    compute_state: str = "STARTING"
    polls: int = 0
    acl: dict[tuple[str, str], str] = field(default_factory=dict)
    deployments: list[Deployment] = field(default_factory=list)
    active: Deployment | None = None
    update_time: str = ""
    crashed: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "resources": copy.deepcopy(self.resources),
            "creator": self.creator,
            "create_time": self.create_time,
            "update_time": self.update_time or self.create_time,
            "url": self.url,
            "service_principal_id": self.service_principal_id,
            "service_principal_client_id": self.service_principal_client_id,
            "service_principal_name": f"app-{self.name}",
            "compute_status": {
                "state": self.compute_state,
                "message": _compute_message(self.compute_state),
            },
            "app_status": _app_status(self),
        }
        if self.user_api_scopes:
            body["user_api_scopes"] = list(self.user_api_scopes)
            body["effective_user_api_scopes"] = list(self.user_api_scopes)
        if self.active is not None:
            body["active_deployment"] = self.active.to_json(self.name)
            body["default_source_code_path"] = self.active.source_code_path
        pending = next((d for d in self.deployments if d.state == "IN_PROGRESS"), None)
        if pending is not None:
            body["pending_deployment"] = pending.to_json(self.name)
        return body


def _compute_message(state: str) -> str:
    return {
        "STARTING": "App compute is starting.",
        "ACTIVE": "App compute is running.",
        "STOPPED": "App compute is stopped.",
    }.get(state, state)


def _app_status(app: App) -> dict[str, str]:
    if app.compute_state != "ACTIVE":
        return {
            "state": "UNAVAILABLE",
            "message": "App has not been deployed yet."
            if app.active is None
            else "App compute is not running.",
        }
    if any(d.state == "IN_PROGRESS" for d in app.deployments):
        return {"state": "DEPLOYING", "message": "App is being deployed."}
    if app.active is None:
        return {"state": "UNAVAILABLE", "message": "App has not been deployed yet."}
    if app.crashed:
        return {"state": "CRASHED", "message": f"App crashed: {app.crashed}"}
    return {"state": "RUNNING", "message": "App has status: App is running"}
