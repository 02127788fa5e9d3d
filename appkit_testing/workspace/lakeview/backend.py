"""AI/BI (Lakeview) dashboards: drafts, their published versions, trash; pure state with
``reset()``.

A dashboard is a draft (``serialized_dashboard``: the dashboard's JSON
definition, kept as given) under a workspace folder (``parent_path``, created
when missing). Publishing snapshots the draft as it is then, with the
warehouse it runs on and whether viewers use the publisher's credentials;
editing the draft afterwards leaves the published version as it was until the
next publish. Trashed dashboards are listed only when asked and cannot be
published. Anyone may read; the creator (or an admin) may change.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from appkit_testing.workspace.errors import invalid_parameter, not_found, permission_denied
from appkit_testing.workspace.identity.backend import Identity


def _iso(millis: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(millis / 1000)) + f".{millis % 1000:03d}Z"


@dataclass
class Published:
    display_name: str
    serialized_dashboard: str
    warehouse_id: str | None
    embed_credentials: bool
    revision_create_time: int

    def to_json(self) -> dict[str, Any]:
        return {
            "display_name": self.display_name,
            "warehouse_id": self.warehouse_id,
            "embed_credentials": self.embed_credentials,
            "revision_create_time": _iso(self.revision_create_time),
        }


@dataclass
class Dashboard:
    dashboard_id: str
    display_name: str
    parent_path: str
    serialized_dashboard: str
    warehouse_id: str | None
    owner: str
    create_time: int
    update_time: int
    lifecycle_state: str = "ACTIVE"
    published: Published | None = None
    revision: int = 1

    @property
    def path(self) -> str:
        return f"{self.parent_path.rstrip('/')}/{self.display_name}.lvdash.json"

    def to_json(self, *, with_definition: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "dashboard_id": self.dashboard_id,
            "display_name": self.display_name,
            "parent_path": self.parent_path,
            "path": self.path,
            "create_time": _iso(self.create_time),
            "update_time": _iso(self.update_time),
            "lifecycle_state": self.lifecycle_state,
            "etag": str(self.revision),
        }
        if self.warehouse_id:
            body["warehouse_id"] = self.warehouse_id
        if with_definition:
            body["serialized_dashboard"] = self.serialized_dashboard
        return body


def _definition(value: Any) -> str:
    text = "{}" if value is None else str(value)
    try:
        parsed = json.loads(text)
    except ValueError:
        raise invalid_parameter("serialized_dashboard must be a JSON document.") from None
    if not isinstance(parsed, dict):
        raise invalid_parameter("serialized_dashboard must be a JSON object.")
    return text


class LakeviewBackend:
    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._dashboards: dict[str, Dashboard] = {}

    def _now(self) -> int:
        return int(self._clock() * 1000)

    def create(self, body: dict[str, Any], identity: Identity) -> Dashboard:
        name = str(body.get("display_name") or "").strip()
        if not name or "/" in name:
            raise invalid_parameter("display_name is required and may not contain '/'.")
        parent = str(body.get("parent_path") or f"/Users/{identity.name}")
        if not parent.startswith("/"):
            raise invalid_parameter("parent_path must be an absolute workspace path.")
        now = self._now()
        dashboard = Dashboard(
            uuid.uuid4().hex[:32],
            name,
            parent,
            _definition(body.get("serialized_dashboard")),
            body.get("warehouse_id"),
            identity.name,
            now,
            now,
        )
        with self._lock:
            self._dashboards[dashboard.dashboard_id] = dashboard
        return dashboard

    def get(self, dashboard_id: str) -> Dashboard:
        with self._lock:
            found = self._dashboards.get(dashboard_id)
        if found is None:
            raise not_found("RESOURCE_DOES_NOT_EXIST", f"Dashboard {dashboard_id} does not exist.")
        return found

    def all(self, *, show_trashed: bool = False) -> list[Dashboard]:
        with self._lock:
            found = list(self._dashboards.values())
        return sorted(
            (d for d in found if show_trashed or d.lifecycle_state == "ACTIVE"),
            key=lambda d: (d.create_time, d.dashboard_id),
        )

    def _mine(self, dashboard_id: str, identity: Identity) -> Dashboard:
        found = self.get(dashboard_id)
        if not identity.is_admin and found.owner != identity.name:
            raise permission_denied(f"User may not change dashboard {dashboard_id}.")
        return found

    def update(self, dashboard_id: str, body: dict[str, Any], identity: Identity) -> Dashboard:
        found = self._mine(dashboard_id, identity)
        with self._lock:
            if body.get("display_name"):
                found.display_name = str(body["display_name"])
            if body.get("serialized_dashboard") is not None:
                found.serialized_dashboard = _definition(body["serialized_dashboard"])
            if body.get("warehouse_id"):
                found.warehouse_id = str(body["warehouse_id"])
            found.update_time = self._now()
            found.revision += 1
        return found

    def trash(self, dashboard_id: str, identity: Identity) -> None:
        found = self._mine(dashboard_id, identity)
        with self._lock:
            found.lifecycle_state = "TRASHED"
            found.published = None

    def publish(
        self, dashboard_id: str, warehouse_id: Any, embed_credentials: Any, identity: Identity
    ) -> Published:
        found = self._mine(dashboard_id, identity)
        if found.lifecycle_state != "ACTIVE":
            raise invalid_parameter(f"Dashboard {dashboard_id} is trashed and cannot be published.")
        warehouse = str(warehouse_id) if warehouse_id else found.warehouse_id
        if not warehouse:
            raise invalid_parameter("Publishing needs a warehouse_id (the dashboard has none).")
        with self._lock:
            found.published = Published(
                found.display_name,
                found.serialized_dashboard,
                warehouse,
                bool(embed_credentials) if embed_credentials is not None else True,
                self._now(),
            )
            return found.published

    def published(self, dashboard_id: str) -> Published:
        found = self.get(dashboard_id)
        if found.published is None:
            raise not_found(
                "RESOURCE_DOES_NOT_EXIST", f"Dashboard {dashboard_id} has no published version."
            )
        return found.published

    def unpublish(self, dashboard_id: str, identity: Identity) -> None:
        found = self._mine(dashboard_id, identity)
        self.published(dashboard_id)
        with self._lock:
            found.published = None
