"""Serving endpoints, their permissions and their built-in models; pure state with ``reset()``.

Permissions follow Databricks: ``CAN_VIEW`` to list or get an endpoint,
``CAN_QUERY`` to invoke it, ``CAN_MANAGE`` to change or delete it or its
permissions. The creator and workspace admins hold ``CAN_MANAGE``. Two
endpoints exist from the start, queryable by every user, as a workspace's
foundation-model endpoints are: ``databricks-echo-chat`` and
``databricks-hash-embeddings`` (see :mod:`.models`).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from appkit_testing.workspace.errors import (
    already_exists,
    bad_request,
    invalid_parameter,
    permission_denied,
    resource_missing,
)
from appkit_testing.workspace.identity.backend import Identity
from appkit_testing.workspace.serving import models

LEVELS = {"CAN_VIEW": 1, "CAN_QUERY": 2, "CAN_MANAGE": 3}
PRINCIPAL_KEYS = ("user_name", "group_name", "service_principal_name")
NAME = re.compile(r"^[A-Za-z0-9_-]{1,63}$")
SEEDED: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("databricks-echo-chat", models.ECHO_CHAT, {}),
    ("databricks-hash-embeddings", models.HASHING_EMBEDDINGS, {}),
)


@dataclass
class Endpoint:
    id: str
    name: str
    creator: str
    created: int
    entity: dict[str, Any]
    acl: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def model(self) -> str:
        return str(self.entity.get("entity_name", ""))

    @property
    def environment(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in (self.entity.get("environment_vars") or {}).items()}

    def to_json(self, *, detailed: bool) -> dict[str, Any]:
        served = {
            "name": self.entity.get("name") or self.name,
            "entity_name": self.model,
            "entity_version": str(self.entity.get("entity_version") or "1"),
            "state": {"deployment": "DEPLOYMENT_READY"},
            "creator": self.creator,
            "creation_timestamp": self.created,
        }
        if detailed:
            served["environment_vars"] = self.environment
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "creator": self.creator,
            "creation_timestamp": self.created,
            "last_updated_timestamp": self.created,
            "state": {"ready": "READY", "config_update": "NOT_UPDATING"},
            "config": {"served_entities": [served]},
        }
        task = models.TASKS.get(self.model)
        if task:
            body["task"] = task
        return body


class ServingBackend:
    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._endpoints: dict[str, Endpoint] = {}
            self._next_id = 1
            for name, model, environment in SEEDED:
                endpoint = self._add(name, "system", {"entity_name": model,
                                                      "environment_vars": environment})  # fmt: skip
                endpoint.acl[("group_name", "users")] = "CAN_QUERY"

    def _add(self, name: str, creator: str, entity: dict[str, Any]) -> Endpoint:
        endpoint = Endpoint(f"{self._next_id:032x}", name, creator, int(self._clock() * 1000),
                            entity)  # fmt: skip
        self._next_id += 1
        self._endpoints[name] = endpoint
        return endpoint

    def level(self, endpoint: Endpoint, caller: Identity) -> int:
        if caller.is_admin or caller.name == endpoint.creator:
            return LEVELS["CAN_MANAGE"]
        holders = {("user_name", caller.name), ("service_principal_name", caller.name)}
        holders |= {("group_name", g) for g in (*caller.all_groups, "users")}
        granted = (LEVELS.get(level, 0) for key, level in endpoint.acl.items() if key in holders)
        return max(granted, default=0)

    def _require(self, endpoint: Endpoint, caller: Identity, level: str) -> None:
        if self.level(endpoint, caller) < LEVELS[level]:
            raise permission_denied(
                f"User {caller.name} does not have {level} permission on serving endpoint "
                f"{endpoint.name}."
            )

    def _endpoint(self, name: str) -> Endpoint:
        endpoint = self._endpoints.get(name)
        if endpoint is None:
            raise resource_missing(f"Endpoint with name '{name}' does not exist.")
        return endpoint

    def by_id(self, endpoint_id: str) -> Endpoint:
        with self._lock:
            for endpoint in self._endpoints.values():
                if endpoint.id == endpoint_id:
                    return endpoint
        raise resource_missing(f"Serving endpoint with id {endpoint_id} does not exist.")

    def create(self, name: object, config: object, caller: Identity) -> Endpoint:
        if not isinstance(name, str) or not NAME.match(name):
            raise invalid_parameter(
                "Endpoint name must be 1 to 63 letters, digits, dashes or underscores."
            )
        entities = (config or {}).get("served_entities") if isinstance(config, dict) else None
        if (
            not isinstance(entities, list)
            or len(entities) != 1
            or not isinstance(entities[0], dict)
        ):
            raise invalid_parameter("config.served_entities must hold exactly one served entity.")
        if entities[0].get("entity_name") not in models.TASKS:
            raise invalid_parameter(
                f"entity_name must be one of the built-in models {sorted(models.TASKS)}."
            )
        with self._lock:
            if name in self._endpoints:
                raise already_exists(f"Endpoint with name '{name}' already exists.")
            return self._add(name, caller.name, dict(entities[0]))

    def get(self, name: str, caller: Identity, level: str = "CAN_VIEW") -> Endpoint:
        with self._lock:
            endpoint = self._endpoint(name)
            self._require(endpoint, caller, level)
            return endpoint

    def visible(self, caller: Identity) -> list[Endpoint]:
        with self._lock:
            found = [e for e in self._endpoints.values() if self.level(e, caller) >= 1]
        return sorted(found, key=lambda endpoint: endpoint.name)

    def delete(self, name: str, caller: Identity) -> None:
        with self._lock:
            self._require(self._endpoint(name), caller, "CAN_MANAGE")
            del self._endpoints[name]

    def set_permissions(
        self, endpoint: Endpoint, entries: list[Any], caller: Identity, *, replace: bool
    ) -> Endpoint:
        parsed: dict[tuple[str, str], str] = {}
        for index, entry in enumerate(entries):
            keys = [k for k in PRINCIPAL_KEYS if isinstance(entry, dict) and entry.get(k)]
            level = entry.get("permission_level") if isinstance(entry, dict) else None
            if len(keys) != 1 or level not in LEVELS:
                raise invalid_parameter(
                    f"access_control_list[{index}] needs one principal and a permission_level "
                    "of CAN_VIEW, CAN_QUERY or CAN_MANAGE."
                )
            parsed[(keys[0], str(entry[keys[0]]))] = str(level)
        with self._lock:
            self._require(endpoint, caller, "CAN_MANAGE")
            if replace:
                endpoint.acl = parsed
            else:
                endpoint.acl.update(parsed)
            return endpoint

    def invoke(self, endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        """The endpoint's model applied to ``body`` (the caller was checked for CAN_QUERY)."""
        created = int(self._clock())
        if endpoint.model == models.ECHO_CHAT:
            if "messages" not in body:
                raise bad_request("This chat endpoint takes messages.")
            return models.chat(endpoint.name, body, created)
        if endpoint.model == models.HASHING_EMBEDDINGS:
            size = models.dimensions(endpoint.environment)
            return models.embeddings(endpoint.name, body, size)
        return models.linear(body, endpoint.environment)

    def embed(self, name: str, texts: list[str]) -> list[list[float]]:
        """Vectors from an embeddings endpoint, for other areas (vector search)."""
        with self._lock:
            endpoint = self._endpoints.get(name)
        if endpoint is None or endpoint.model != models.HASHING_EMBEDDINGS:
            raise bad_request(f"{name} is not an embeddings endpoint of this workspace.")
        response = self.invoke(endpoint, {"input": texts})
        return [item["embedding"] for item in response["data"]]
