"""The workspace's SCIM directory: who a token belongs to, and principals with their groups.

``me(token)`` answers with the identity behind a user's access token (the
web's cross-check of the proxy's identity headers); answers are cached for
``ttl`` seconds keyed by a hash of the token, never the token itself.
``find``/``groups_of`` implement the domain's ``Directory`` port with the
app's own identity.
"""

from __future__ import annotations

import hashlib
from typing import Any

from appkit_adapters.databricks.http import DatabricksHttp
from appkit_adapters.databricks.ttl_cache import TtlCache
from appkit_domain.errors import InvalidInput, NotFound
from appkit_domain.ports.directory import Directory
from appkit_domain.principal import Principal, PrincipalKind

SCIM = "/api/2.0/preview/scim/v2"


def principal_from_scim(resource: dict[str, Any]) -> Principal:
    """A ``Principal`` from a SCIM user or service principal resource."""
    identifier = str(resource.get("id") or "")
    application_id = resource.get("applicationId")
    groups = frozenset(
        str(g.get("display") or g.get("value"))
        for g in resource.get("groups") or []
        if isinstance(g, dict) and (g.get("display") or g.get("value"))
    )
    if application_id:
        return Principal(
            id=identifier,
            email=str(application_id),
            display_name=str(resource.get("displayName") or application_id),
            kind=PrincipalKind.SERVICE_PRINCIPAL,
            groups=groups,
        )
    email = str(resource.get("userName") or "")
    for entry in resource.get("emails") or []:
        if isinstance(entry, dict) and entry.get("primary") and entry.get("value"):
            email = str(entry["value"])
            break
    return Principal(
        id=identifier,
        email=email,
        display_name=str(resource.get("displayName") or email),
        kind=PrincipalKind.USER,
        groups=groups,
    )


class ScimDirectory(Directory):
    def __init__(self, http: DatabricksHttp, *, ttl: float = 300.0) -> None:
        self.http = http
        clock = http.pipeline.timer.monotonic
        self._me: TtlCache[Principal] = TtlCache(ttl, clock)
        self._principals: TtlCache[Principal] = TtlCache(ttl, clock)

    async def me(self, token: str) -> Principal:
        """The principal the access token belongs to (``Unauthenticated`` if the token is refused)."""
        key = hashlib.sha256(token.encode()).hexdigest()

        async def load() -> Principal:
            user = self.http.for_user(token)
            return principal_from_scim(await user.get(f"{SCIM}/Me"))

        return await self._me.get(key, load)

    async def find(self, key: str) -> Principal:
        """By SCIM id, user name/email (case-insensitive) or service principal application id."""
        if not key or any(ch in key for ch in '"\\\n\r/?#'):
            raise InvalidInput("a directory key may not be empty or contain quotes")

        async def load() -> Principal:
            users = await self.http.get(f"{SCIM}/Users", {"filter": f'userName eq "{key}"'})
            for resource in users.get("Resources") or []:
                return principal_from_scim(resource)
            try:
                return principal_from_scim(await self.http.get(f"{SCIM}/Users/{key}"))
            except NotFound:
                pass
            sps = await self.http.get(
                f"{SCIM}/ServicePrincipals", {"filter": f'applicationId eq "{key}"'}
            )
            for resource in sps.get("Resources") or []:
                return principal_from_scim(resource)
            raise NotFound(f"the directory has no principal {key!r}")

        return await self._principals.get(key.lower(), load)

    async def groups_of(self, principal_id: str) -> frozenset[str]:
        """The principal's groups now (read fresh, not from the cache)."""
        if not principal_id or "/" in principal_id:
            raise InvalidInput("a principal id is needed")
        for kind in ("Users", "ServicePrincipals"):
            try:
                resource = await self.http.get(f"{SCIM}/{kind}/{principal_id}")
            except NotFound:
                continue
            return principal_from_scim(resource).groups
        raise NotFound(f"the directory has no principal with id {principal_id!r}")
