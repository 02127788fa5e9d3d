"""Secret scopes and secrets over REST (``/api/2.0/secrets``); values are write-only here.

Nothing in this adapter reads a secret's value back: listing gives keys and
their update time only. Names are checked before any call (letters, digits,
``_ . -``, at most 128). Secrets have no on-behalf-of scope, so these calls
run as whoever ``http`` authenticates as: in an app, its service principal.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from appkit_adapters.databricks.http import DatabricksHttp
from appkit_domain.errors import InvalidInput

SECRETS = "/api/2.0/secrets"
MAX_SECRET_BYTES = 128 * 1024
_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")


def check_secret_name(value: str, what: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise InvalidInput(
            f"{what} must be 1 to 128 letters, digits, underscores, periods or dashes"
        )
    return value


class DatabricksSecrets:
    """The Secrets API as one identity (``http``'s)."""

    def __init__(self, http: DatabricksHttp) -> None:
        self.http = http

    async def list_scopes(self) -> list[dict[str, Any]]:
        body = await self.http.get(f"{SECRETS}/scopes/list")
        return [
            {"name": scope.get("name"), "backend_type": scope.get("backend_type")}
            for scope in body.get("scopes") or []
        ]

    async def create_scope(
        self, scope: str, *, initial_manage_principal: str | None = None
    ) -> None:
        """A Databricks-backed scope; ``Conflict`` when it exists already."""
        request: dict[str, Any] = {"scope": check_secret_name(scope, "a scope name")}
        if initial_manage_principal:
            request["initial_manage_principal"] = initial_manage_principal
        await self.http.post(f"{SECRETS}/scopes/create", request)

    async def delete_scope(self, scope: str) -> None:
        """Delete the scope and its secrets; ``NotFound`` when there is none."""
        request = {"scope": check_secret_name(scope, "a scope name")}
        await self.http.post(f"{SECRETS}/scopes/delete", request, idempotent=True)

    async def list_secrets(self, scope: str) -> list[dict[str, Any]]:
        """The keys of a scope with their last update (epoch ms); never values."""
        body = await self.http.get(
            f"{SECRETS}/list", {"scope": check_secret_name(scope, "a scope name")}
        )
        return [
            {"key": item.get("key"), "last_updated_timestamp": item.get("last_updated_timestamp")}
            for item in body.get("secrets") or []
        ]

    async def put_secret(self, scope: str, key: str, value: str | bytes) -> None:
        """Store (or replace) a secret; text goes as ``string_value``, bytes as base64."""
        raw = value.encode() if isinstance(value, str) else bytes(value)
        if not raw:
            raise InvalidInput("a secret value cannot be empty")
        if len(raw) > MAX_SECRET_BYTES:
            raise InvalidInput("a secret value is at most 128 KiB")
        request: dict[str, Any] = {
            "scope": check_secret_name(scope, "a scope name"),
            "key": check_secret_name(key, "a secret key"),
        }
        if isinstance(value, str):
            request["string_value"] = value
        else:
            request["bytes_value"] = base64.b64encode(raw).decode()
        # Putting the same value again leaves the same state, so a retry is safe.
        await self.http.post(f"{SECRETS}/put", request, idempotent=True)

    async def delete_secret(self, scope: str, key: str) -> None:
        request = {
            "scope": check_secret_name(scope, "a scope name"),
            "key": check_secret_name(key, "a secret key"),
        }
        await self.http.post(f"{SECRETS}/delete", request, idempotent=True)
