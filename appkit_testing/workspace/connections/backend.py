"""Unity Catalog connections (foreign data sources); pure state with ``reset()``.

A connection has a type (``MYSQL``, ``POSTGRESQL``, ``SNOWFLAKE``, ...) and
options. Options that hold credentials (``password``, ``pem_private_key``,
client secrets, tokens) are kept but never returned, as in Unity Catalog:
reads show the other options only. The creator owns a connection; only the
owner or an admin may delete it.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from appkit_testing.workspace.catalog.objects import METASTORE_ID
from appkit_testing.workspace.errors import (
    already_exists,
    invalid_parameter,
    not_found,
    permission_denied,
)
from appkit_testing.workspace.identity.backend import Identity

CONNECTION_TYPES = frozenset(
    {
        "BIGQUERY",
        "DATABRICKS",
        "GLUE",
        "HIVE_METASTORE",
        "HTTP",
        "MYSQL",
        "ORACLE",
        "POSTGRESQL",
        "REDSHIFT",
        "SALESFORCE",
        "SNOWFLAKE",
        "SQLDW",
        "SQLSERVER",
        "TERADATA",
    }
)
SECRET_OPTIONS = frozenset(
    {"password", "pem_private_key", "client_secret", "bearer_token", "token", "secret_access_key"}
)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,254}$")


@dataclass
class Connection:
    name: str
    connection_type: str
    options: dict[str, str]
    owner: str
    created_at: int
    comment: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    connection_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    updated_at: int = 0

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "full_name": self.name,
            "connection_type": self.connection_type,
            "connection_id": self.connection_id,
            "options": {k: v for k, v in self.options.items() if k.lower() not in SECRET_OPTIONS},
            "owner": self.owner,
            "created_at": self.created_at,
            "created_by": self.owner,
            "updated_at": self.updated_at or self.created_at,
            "metastore_id": METASTORE_ID,
            "credential_type": "USERNAME_PASSWORD",
            "read_only": True,
            "securable_type": "CONNECTION",
            "url": _url(self.options),
        }
        if self.comment:
            body["comment"] = self.comment
        if self.properties:
            body["properties"] = dict(self.properties)
        return body


def _url(options: Mapping[str, str]) -> str | None:
    host = options.get("host")
    if not host:
        return None
    port = options.get("port")
    return f"{host}:{port}" if port else host


class ConnectionsBackend:
    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._connections: dict[str, Connection] = {}

    def create(
        self,
        name: Any,
        connection_type: Any,
        options: Any,
        comment: Any,
        properties: Any,
        identity: Identity,
    ) -> Connection:
        if not isinstance(name, str) or not _NAME.match(name):
            raise invalid_parameter("Connection name must be letters, digits, _ or -.")
        kind = str(connection_type or "").upper()
        if kind not in CONNECTION_TYPES:
            raise invalid_parameter(f"Unsupported connection type: {connection_type!r}.")
        if not isinstance(options, Mapping) or not options:
            raise invalid_parameter("A connection needs options (host, port, user, ...).")
        key = name.lower()
        with self._lock:
            if key in self._connections:
                raise already_exists(
                    f"Connection '{name}' already exists.", "CONNECTION_ALREADY_EXISTS"
                )
            created = Connection(
                key,
                kind,
                {str(k): str(v) for k, v in options.items()},
                identity.name,
                int(self._clock() * 1000),
                str(comment) if comment else None,
                {str(k): str(v) for k, v in (properties or {}).items()},
            )
            self._connections[key] = created
            return created

    def get(self, name: str) -> Connection:
        with self._lock:
            found = self._connections.get(name.lower())
        if found is None:
            raise not_found("CONNECTION_DOES_NOT_EXIST", f"Connection '{name}' does not exist.")
        return found

    def all(self) -> list[Connection]:
        with self._lock:
            return sorted(self._connections.values(), key=lambda c: c.name)

    def update(self, name: str, options: Any, new_owner: Any, identity: Identity) -> Connection:
        found = self.get(name)
        self._require_owner(found, identity)
        with self._lock:
            if isinstance(options, Mapping):
                found.options.update({str(k): str(v) for k, v in options.items()})
            if new_owner:
                found.owner = str(new_owner)
            found.updated_at = int(self._clock() * 1000)
            return found

    def delete(self, name: str, identity: Identity) -> None:
        found = self.get(name)
        self._require_owner(found, identity)
        with self._lock:
            self._connections.pop(found.name, None)

    @staticmethod
    def _require_owner(connection: Connection, identity: Identity) -> None:
        if not identity.is_admin and connection.owner != identity.name:
            raise permission_denied(f"User is not an owner of Connection '{connection.name}'.")
