"""Volumes, functions and the metadata of catalogs and schemas: what the engine does not hold.

Pure state with ``reset()``; keyed by lower-case three-part full name.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from appkit_testing.workspace.errors import already_exists, not_found

METASTORE_ID = "11111111-2222-3333-4444-555555555555"


class CatalogObjects:
    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._volumes: dict[str, dict[str, Any]] = {}
            self._functions: dict[str, dict[str, Any]] = {}
            self._containers: dict[Any, dict[str, Any]] = {}

    def _stamp(self, info: dict[str, Any], creator: str) -> None:
        now = int(self._clock() * 1000)
        info.setdefault("owner", creator)
        info.update(
            created_at=now,
            created_by=creator,
            updated_at=now,
            updated_by=creator,
            metastore_id=METASTORE_ID,
        )

    def create_volume(self, info: dict[str, Any], creator: str) -> dict[str, Any]:
        full_name = info["full_name"]
        with self._lock:
            if full_name in self._volumes:
                raise already_exists(f"Volume '{full_name}' already exists", "ALREADY_EXISTS")
            volume_id = str(uuid.uuid4())
            info.setdefault("volume_type", "MANAGED")
            info.setdefault("storage_location", f"file:///emulated/metastore/volumes/{volume_id}")
            info["volume_id"] = volume_id
            self._stamp(info, creator)
            self._volumes[full_name] = info
            return copy.deepcopy(info)

    def volume(self, full_name: str) -> dict[str, Any]:
        with self._lock:
            info = self._volumes.get(full_name.lower())
            if info is None:
                raise not_found("VOLUME_DOES_NOT_EXIST", f"Volume '{full_name}' does not exist.")
            return copy.deepcopy(info)

    def update_volume(
        self, full_name: str, changes: dict[str, Any], updater: str
    ) -> dict[str, Any]:
        with self._lock:
            info = self._volumes.get(full_name.lower())
            if info is None:
                raise not_found("VOLUME_DOES_NOT_EXIST", f"Volume '{full_name}' does not exist.")
            for field in ("comment", "owner"):
                if changes.get(field) is not None:
                    info[field] = changes[field]
            if changes.get("new_name"):
                del self._volumes[info["full_name"]]
                info["name"] = str(changes["new_name"]).lower()
                info["full_name"] = f"{info['catalog_name']}.{info['schema_name']}.{info['name']}"
                self._volumes[info["full_name"]] = info
            info.update(updated_at=int(self._clock() * 1000), updated_by=updater)
            return copy.deepcopy(info)

    def delete_volume(self, full_name: str) -> None:
        with self._lock:
            if self._volumes.pop(full_name.lower(), None) is None:
                raise not_found("VOLUME_DOES_NOT_EXIST", f"Volume '{full_name}' does not exist.")

    def volumes(self, catalog: str, schema: str) -> list[dict[str, Any]]:
        prefix = f"{catalog}.{schema}.".lower()
        with self._lock:
            return [copy.deepcopy(v) for k, v in self._volumes.items() if k.startswith(prefix)]

    def create_function(self, info: dict[str, Any], creator: str) -> dict[str, Any]:
        full_name = info["full_name"]
        with self._lock:
            if full_name in self._functions:
                raise already_exists(
                    f"Function '{full_name}' already exists", "ROUTINE_ALREADY_EXISTS"
                )
            info["function_id"] = str(uuid.uuid4())
            self._stamp(info, creator)
            self._functions[full_name] = info
            return copy.deepcopy(info)

    def function(self, full_name: str) -> dict[str, Any]:
        with self._lock:
            info = self._functions.get(full_name.lower())
            if info is None:
                raise not_found(
                    "FUNCTION_DOES_NOT_EXIST", f"Routine or Model '{full_name}' does not exist."
                )
            return copy.deepcopy(info)

    def delete_function(self, full_name: str) -> None:
        with self._lock:
            if self._functions.pop(full_name.lower(), None) is None:
                raise not_found(
                    "FUNCTION_DOES_NOT_EXIST", f"Routine or Model '{full_name}' does not exist."
                )

    def functions(self, catalog: str, schema: str) -> list[dict[str, Any]]:
        prefix = f"{catalog}.{schema}.".lower()
        with self._lock:
            return [copy.deepcopy(v) for k, v in self._functions.items() if k.startswith(prefix)]

    # -- catalogs and schemas: what the engine does not keep -------------------------------------

    def set_container(self, securable: Any, *, comment: Any, properties: Any, creator: str) -> None:
        """Record a created catalog's or schema's comment, properties and creation stamp."""
        now = int(self._clock() * 1000)
        with self._lock:
            self._containers[securable] = {
                "comment": comment,
                "properties": dict(properties or {}),
                "created_at": now,
                "created_by": creator,
                "updated_at": now,
                "updated_by": creator,
            }

    def update_container(self, securable: Any, comment: Any, properties: Any) -> None:
        with self._lock:
            info = self._containers.setdefault(securable, {"properties": {}})
            if comment is not None:
                info["comment"] = comment
            if properties is not None:
                info["properties"] = {**info.get("properties", {}), **dict(properties)}
            info["updated_at"] = int(self._clock() * 1000)

    def container(self, securable: Any) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._containers.get(securable, {}))

    def forget_container(self, securable: Any) -> None:
        """Forget a dropped catalog or schema and everything recorded below it."""
        prefix = securable.name + "."
        with self._lock:
            for key in [k for k in self._containers if k == securable or k.name.startswith(prefix)]:
                del self._containers[key]

    def names_under(self, prefix: str) -> list[str]:
        """Full names of the volumes and functions inside a catalog or schema."""
        start = prefix + "."
        with self._lock:
            return [k for k in [*self._volumes, *self._functions] if k.startswith(start)]

    def drop_object(self, full_name: str) -> None:
        with self._lock:
            self._volumes.pop(full_name, None)
            self._functions.pop(full_name, None)
