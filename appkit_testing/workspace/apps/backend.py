"""Databricks Apps: compute with a simulated lifecycle, deployments that really run.

Compute moves ``STARTING -> ACTIVE`` one step every ``polls_per_step``
observations (``GET`` of the app), so no real time passes. A deployment needs
active compute and a source folder holding at least one file (an empty folder
fails at once); it then starts the app's command in a subprocess
(:mod:`~appkit_testing.workspace.apps.runner`) and stays ``IN_PROGRESS`` until
the app answers on its port (``SUCCEEDED``, the app's URL is then that port)
or fails to start (``FAILED``, with the app's last output). Stopping or
deleting the app, or ``reset()``, stops its process.

Only admins, the app's creator and holders of ``CAN_MANAGE`` may change an
app; ``CAN_USE`` holders may read it.
"""

from __future__ import annotations

import copy
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from appkit_testing.workspace.apps.model import App, Deployment
from appkit_testing.workspace.apps.runner import AppRunner
from appkit_testing.workspace.errors import (
    ApiError,
    already_exists,
    invalid_parameter,
    permission_denied,
    resource_missing,
)
from appkit_testing.workspace.identity.backend import Identity

APP_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,28}[a-z0-9]$")
LEVELS = {"CAN_USE": 1, "CAN_MANAGE": 2}
PRINCIPAL_KEYS = ("user_name", "group_name", "service_principal_name")


class AppsBackend:
    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        polls_per_step: int = 1,
        workspace_id: str = "1234567890123456",
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.polls_per_step = polls_per_step
        self._workspace_id = workspace_id
        self.runner = AppRunner()
        self.reset()

    def reset(self) -> None:
        self.runner.stop_all()
        with self._lock:
            self._apps: dict[str, App] = {}
            self._next_sp = 7000000000000000

    def _stamp(self) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self._clock()))

    def _app(self, name: str) -> App:
        app = self._apps.get(name)
        if app is None:
            raise resource_missing(f"App with name {name} does not exist or is deleted.")
        return app

    def _level(self, app: App, caller: Identity) -> int:
        if caller.is_admin or caller.name == app.creator:
            return LEVELS["CAN_MANAGE"]
        holders = {("user_name", caller.name), ("service_principal_name", caller.name)}
        holders |= {("group_name", g) for g in (*caller.all_groups, "users")}
        return max(
            (LEVELS.get(level, 0) for key, level in app.acl.items() if key in holders), default=0
        )

    def _require(self, app: App, caller: Identity, level: str) -> None:
        if self._level(app, caller) < LEVELS[level]:
            raise permission_denied(
                f"User {caller.name} does not have {level} permission on app {app.name}."
            )

    def _observe(self, app: App) -> None:
        app.polls += 1
        if app.polls % self.polls_per_step == 0 and app.compute_state == "STARTING":
            app.compute_state = "ACTIVE"

    def create(self, body: dict[str, Any], caller: Identity, no_compute: bool) -> App:
        name = body.get("name")
        if not isinstance(name, str) or not APP_NAME.match(name):
            raise invalid_parameter(
                "App name must contain only lowercase alphanumeric characters and hyphens, "
                "and be between 2 and 30 characters long."
            )
        resources = body.get("resources") or []
        _check_resources(resources)
        with self._lock:
            if name in self._apps:
                raise already_exists(f"App with name {name} already exists.")
            self._next_sp += 1
            app = App(
                name=name,
                description=str(body.get("description") or ""),
                resources=copy.deepcopy(resources),
                user_api_scopes=list(body.get("user_api_scopes") or []),
                creator=caller.name,
                create_time=self._stamp(),
                url=f"https://{name}-{self._workspace_id}.emulated.databricksapps.com",
                service_principal_id=self._next_sp,
                service_principal_client_id=secrets.token_hex(16),
                compute_state="STOPPED" if no_compute else "STARTING",
            )
            self._apps[name] = app
            return app

    def get(self, name: str, caller: Identity) -> App:
        with self._lock:
            app = self._app(name)
            self._require(app, caller, "CAN_USE")
            self._observe(app)
            self._check_running(app)
            return app

    def _check_running(self, app: App) -> None:
        """An active app whose process has exited since it started is ``CRASHED``."""
        running = self.runner.get(app.name)
        process = running.process if running is not None else None
        if app.active is not None and process is not None and process.poll() is not None:
            app.crashed = f"the app's process exited with code {process.returncode}"

    def visible(self, caller: Identity) -> list[App]:
        with self._lock:
            return sorted(
                (a for a in self._apps.values() if self._level(a, caller) >= LEVELS["CAN_USE"]),
                key=lambda a: a.name,
            )

    def update(self, name: str, body: dict[str, Any], caller: Identity) -> App:
        """Replace the app's description, resources and scopes (the whole config, as the service does)."""
        resources = body.get("resources") or []
        _check_resources(resources)
        with self._lock:
            app = self._app(name)
            self._require(app, caller, "CAN_MANAGE")
            app.description = str(body.get("description") or "")
            app.resources = copy.deepcopy(resources)
            app.user_api_scopes = list(body.get("user_api_scopes") or [])
            app.update_time = self._stamp()
            return app

    def delete(self, name: str, caller: Identity) -> App:
        with self._lock:
            app = self._app(name)
            self._require(app, caller, "CAN_MANAGE")
            del self._apps[name]
        self.runner.stop(name)
        return app

    def start(self, name: str, caller: Identity) -> App:
        with self._lock:
            app = self._app(name)
            self._require(app, caller, "CAN_MANAGE")
            if app.compute_state == "STOPPED":
                app.compute_state = "STARTING"
            return app

    def stop(self, name: str, caller: Identity) -> App:
        with self._lock:
            app = self._app(name)
            self._require(app, caller, "CAN_MANAGE")
            app.compute_state = "STOPPED"
        self.runner.stop(name)
        return app

    def deploy(
        self,
        name: str,
        source_code_path: str,
        mode: str,
        sources: Mapping[str, bytes],
        caller: Identity,
        environment: Callable[[App], dict[str, str]],
    ) -> Deployment:
        """Record a deployment of ``sources`` (relative path -> content) and start it.

        ``environment`` gives the app's runtime variables (resolved by the caller,
        which knows the workspace's URL, identities and resources).
        """
        if mode not in ("SNAPSHOT", "AUTO_SYNC"):
            raise invalid_parameter("mode must be SNAPSHOT or AUTO_SYNC.")
        with self._lock:
            app = self._app(name)
            self._require(app, caller, "CAN_MANAGE")
            if app.compute_state != "ACTIVE":
                raise ApiError(
                    400,
                    "INVALID_STATE",
                    f"Cannot deploy app {name}: its compute is {app.compute_state}; start it first.",
                )
            if any(d.state == "IN_PROGRESS" for d in app.deployments):
                raise ApiError(
                    409, "RESOURCE_CONFLICT", f"App {name} already has a deployment in progress."
                )
            deployment = Deployment(
                deployment_id=secrets.token_hex(16),
                source_code_path=source_code_path,
                mode=mode,
                creator=caller.name,
                create_time=self._stamp(),
                files=tuple(sorted(sources)),
            )
            app.deployments.append(deployment)
            if not sources:
                deployment.state = "FAILED"
                deployment.message = f"Source code path {source_code_path} holds no files to run."
                return deployment
            variables = environment(app)

        def finished(started: bool, message: str) -> None:
            with self._lock:
                deployment.message = message
                deployment.state = "SUCCEEDED" if started else "FAILED"
                if started:
                    app.active = deployment
                    app.crashed = None
                    running = self.runner.get(name)
                    if running is not None:
                        app.url = running.url

        self.runner.launch(name, sources, variables, finished)
        return deployment

    def logs(self, name: str, tail: int) -> list[str]:
        with self._lock:
            self._app(name)
        return self.runner.logs(name, tail)

    def deployment(self, name: str, deployment_id: str, caller: Identity) -> Deployment:
        with self._lock:
            app = self._app(name)
            self._require(app, caller, "CAN_USE")
            for deployment in app.deployments:
                if deployment.deployment_id == deployment_id:
                    return deployment
            raise resource_missing(f"Deployment {deployment_id} of app {name} does not exist.")

    def deployments(self, name: str, caller: Identity) -> list[Deployment]:
        with self._lock:
            app = self._app(name)
            self._require(app, caller, "CAN_USE")
            return list(reversed(app.deployments))

    def permissions(self, name: str, caller: Identity) -> App:
        with self._lock:
            app = self._app(name)
            self._require(app, caller, "CAN_USE")
            return app

    def set_permissions(
        self, name: str, entries: list[dict[str, Any]], caller: Identity, *, replace: bool
    ) -> App:
        parsed: dict[tuple[str, str], str] = {}
        for index, entry in enumerate(entries):
            keys = [k for k in PRINCIPAL_KEYS if entry.get(k)]
            level = entry.get("permission_level")
            if len(keys) != 1:
                raise invalid_parameter(
                    f"access_control_list[{index}] must name exactly one principal."
                )
            if level not in LEVELS:
                raise invalid_parameter(
                    f"Permission level {level} is not valid for apps; use CAN_USE or CAN_MANAGE."
                )
            parsed[(keys[0], str(entry[keys[0]]))] = str(level)
        with self._lock:
            app = self._app(name)
            self._require(app, caller, "CAN_MANAGE")
            if replace:
                app.acl = parsed
            else:
                app.acl.update(parsed)
            return app


def _check_resources(resources: object) -> None:
    if not isinstance(resources, list):
        raise invalid_parameter("resources must be a list.")
    seen: set[str] = set()
    for index, resource in enumerate(resources):
        if not isinstance(resource, dict) or not resource.get("name"):
            raise invalid_parameter(f"resources[{index}].name is required.")
        if resource["name"] in seen:
            raise invalid_parameter(f"Resource name {resource['name']} is used twice.")
        seen.add(resource["name"])
        warehouse = resource.get("sql_warehouse")
        if warehouse is not None and not (isinstance(warehouse, dict) and warehouse.get("id")):
            raise invalid_parameter(f"resources[{index}].sql_warehouse.id is required.")
