"""Unity Catalog connections over REST (``/api/2.1/unity-catalog/connections``).

Connections are foreign data sources (MySQL, PostgreSQL, Snowflake, ...).
Options that carry credentials go to the workspace and are never read back:
Unity Catalog returns the other options only, and this adapter drops any
credential-like option from what it returns as a second lock. Names are
checked before any call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from databricks.sdk.service.catalog import ConnectionInfo

from appkit_adapters.databricks.http import DatabricksHttp
from appkit_domain.errors import InvalidInput

CONNECTIONS = "/api/2.1/unity-catalog/connections"
SECRET_OPTIONS = frozenset(
    {"password", "pem_private_key", "client_secret", "bearer_token", "token", "secret_access_key"}
)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,254}$")


def check_connection_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidInput("a connection name is letters, digits, _ or - (starting with a letter)")
    return name


def _plain(body: Mapping[str, Any]) -> dict[str, Any]:
    info: dict[str, Any] = ConnectionInfo.from_dict(dict(body)).as_dict()
    options = info.get("options") or {}
    info["options"] = {k: v for k, v in options.items() if k.lower() not in SECRET_OPTIONS}
    return info


class UcConnections:
    """Connections as one identity (``http``'s)."""

    def __init__(self, http: DatabricksHttp) -> None:
        self.http = http

    async def list(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"max_results": 100}
            if token:
                params["page_token"] = token
            body = await self.http.get(CONNECTIONS, params)
            found.extend(_plain(c) for c in body.get("connections") or [])
            token = body.get("next_page_token")
            if not token:
                return found

    async def get(self, name: str) -> dict[str, Any]:
        return _plain(await self.http.get(f"{CONNECTIONS}/{quote(check_connection_name(name))}"))

    async def create(
        self,
        name: str,
        connection_type: str,
        options: Mapping[str, str],
        *,
        comment: str | None = None,
    ) -> dict[str, Any]:
        """``Conflict`` when it exists; the options' secrets are sent, never returned."""
        if not options:
            raise InvalidInput("a connection needs options (host, port, user, ...)")
        request: dict[str, Any] = {
            "name": check_connection_name(name),
            "connection_type": str(connection_type).upper(),
            "options": {str(k): str(v) for k, v in options.items()},
        }
        if comment:
            request["comment"] = comment
        return _plain(await self.http.post(CONNECTIONS, request))

    async def delete(self, name: str) -> None:
        await self.http.request_json(
            "DELETE", f"{CONNECTIONS}/{quote(check_connection_name(name))}", idempotent=True
        )
