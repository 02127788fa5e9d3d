"""Identity modes: how a request's principal is found, or why it is refused.

- :class:`AppsProxyIdentity` (``databricks-apps``) trusts the Apps proxy
  headers. With an on-behalf-of token the principal comes from SCIM ``Me``
  called with that token and must match ``X-Forwarded-Email``; results are
  cached by a hash of the token for ``me_ttl`` seconds. Without a token the
  principal is looked up in the directory by the forwarded email.
- :class:`DevIdentity` (``dev``) accepts simulated proxy headers from
  loopback clients only, resolves them in a configured directory and labels
  the request ``dev``. A simulated ``X-Forwarded-Access-Token`` is passed on
  as the user's token, as the proxy would (checked against SCIM ``Me`` when the
  backend has it); without one, the token the dev directory holds for that
  user (the demo users on the emulated workspace) is used.
- :class:`NoIdentity` (``none``) has no identity source: a request carrying
  any identity header is refused.

Groups come from the directory at resolution time; roles from the role map.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from appkit_domain.errors import NotFound, PermissionDenied, Unauthenticated
from appkit_domain.ports.directory import Directory
from appkit_domain.principal import Principal
from appkit_web.identity.headers import (
    ACCESS_TOKEN,
    DEV_USER_COOKIE,
    EMAIL,
    PREFERRED_USERNAME,
    USER,
    cookie,
    identity_headers,
    is_loopback,
)

MeLookup = Callable[[str], Awaitable[Principal]]
"""SCIM ``Me`` with a user's token: the principal that token belongs to, with its groups."""

Monotonic = Callable[[], float]


class UntrustedIdentityHeaders(Unauthenticated):
    """Identity headers arrived where this mode does not trust them."""

    code = "untrusted_identity_headers"


class IdentityMismatch(Unauthenticated):
    """The forwarded email does not belong to the forwarded access token."""

    code = "identity_mismatch"


@dataclass(frozen=True)
class ResolvedIdentity:
    principal: Principal | None
    mode: str
    user_token: str | None = field(default=None, repr=False)


class IdentityResolver(Protocol):
    mode: str

    async def resolve(self, scope: Mapping[str, Any]) -> ResolvedIdentity:
        """The caller's identity (``principal`` None when the request carries none).

        Raise :class:`Unauthenticated` when the request asserts an identity
        this mode does not accept.
        """
        ...


class NoIdentity(IdentityResolver):
    mode = "none"

    async def resolve(self, scope: Mapping[str, Any]) -> ResolvedIdentity:
        if identity_headers(scope):
            raise UntrustedIdentityHeaders(
                "identity headers are not accepted: the app is not running behind the "
                "Databricks Apps proxy (APPKIT_IDENTITY is not databricks-apps or dev)"
            )
        return ResolvedIdentity(None, self.mode)


class TokenOwners:
    """Who an access token belongs to (SCIM ``Me``), cached by a hash of the token for ``ttl`` s."""

    def __init__(
        self, me: MeLookup, monotonic: Monotonic, *, ttl: float = 300.0, size: int = 1024
    ) -> None:
        self._me = me
        self._monotonic = monotonic
        self._ttl = ttl
        self._size = size
        self._cache: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    async def owner(self, token: str) -> Principal:
        """The token's principal; :class:`Unauthenticated` when the workspace refuses it."""
        key = hashlib.sha256(token.encode()).hexdigest()
        now = self._monotonic()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            self._cache.move_to_end(key)
            return cached[1]
        try:
            principal = await self._me(token)
        except (NotFound, Unauthenticated, PermissionDenied):
            # the workspace answers a token it does not accept with 401 or 403
            raise Unauthenticated("the forwarded access token is not valid") from None
        self.remember(key, principal, now)
        return principal

    def remember(self, key: str, principal: Principal, now: float) -> None:
        self._cache[key] = (now + self._ttl, principal)
        self._cache.move_to_end(key)
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)


class DevIdentity(IdentityResolver):
    """Simulated proxy headers from loopback clients, resolved in ``directory``.

    ``owners`` (SCIM ``Me``; None on backends without a workspace) checks a
    forwarded token belongs to the forwarded email.
    """

    mode = "dev"

    def __init__(self, directory: Directory, owners: TokenOwners | None = None) -> None:
        self.directory = directory
        self.owners = owners

    async def resolve(self, scope: Mapping[str, Any]) -> ResolvedIdentity:
        headers = identity_headers(scope)
        if not headers:
            return await self._from_switcher(scope)
        if not is_loopback(scope):
            raise UntrustedIdentityHeaders(
                "dev identity headers are accepted from this machine (loopback) only"
            )
        key = headers.get(EMAIL) or headers.get(USER) or headers.get(PREFERRED_USERNAME)
        if not key:
            raise Unauthenticated("dev identity needs X-Forwarded-Email")
        try:
            principal = await self.directory.find(key)
        except NotFound:
            raise Unauthenticated(f"the dev directory does not know {key!r}") from None
        token = headers.get(ACCESS_TOKEN) or None
        if token is not None:
            if self.owners is not None:
                owner = await self.owners.owner(token)
                if owner.email.strip().lower() != principal.email.lower():
                    raise IdentityMismatch(
                        "X-Forwarded-Email does not belong to the forwarded access token"
                    )
        else:
            token_of = getattr(self.directory, "token_of", None)
            token = token_of(principal.id) if token_of is not None else None
        return ResolvedIdentity(principal, self.mode, token)

    async def _from_switcher(self, scope: Mapping[str, Any]) -> ResolvedIdentity:
        """The user the console's switcher cookie names (an unknown one is nobody)."""
        chosen = cookie(scope, DEV_USER_COOKIE)
        if not chosen or not is_loopback(scope):
            return ResolvedIdentity(None, self.mode)
        try:
            principal = await self.directory.find(chosen)
        except NotFound:
            return ResolvedIdentity(None, self.mode)
        token_of = getattr(self.directory, "token_of", None)
        return ResolvedIdentity(principal, self.mode, token_of(principal.id) if token_of else None)


class AppsProxyIdentity(IdentityResolver):
    """The Databricks Apps proxy headers, cross-checked with SCIM ``Me`` when a token is present."""

    mode = "databricks-apps"

    def __init__(
        self,
        directory: Directory,
        me: MeLookup | None,
        monotonic: Monotonic,
        *,
        me_ttl: float = 300.0,
        cache_size: int = 1024,
    ) -> None:
        self.directory = directory
        self._owners = (
            TokenOwners(me, monotonic, ttl=me_ttl, size=cache_size) if me is not None else None
        )

    async def resolve(self, scope: Mapping[str, Any]) -> ResolvedIdentity:
        headers = identity_headers(scope)
        email = headers.get(EMAIL, "")
        token = headers.get(ACCESS_TOKEN) or None
        if not email:
            if headers:
                raise Unauthenticated("the proxy sent no X-Forwarded-Email")
            return ResolvedIdentity(None, self.mode)
        if token is not None and self._owners is not None:
            principal = await self._owners.owner(token)
            if principal.email.strip().lower() != email.lower():
                raise IdentityMismatch(
                    "X-Forwarded-Email does not belong to the forwarded access token"
                )
            # A user the directory has not seen yet keeps the groups SCIM Me gave.
            with contextlib.suppress(NotFound):
                principal = principal.with_groups(await self.directory.groups_of(principal.id))
            return ResolvedIdentity(principal, self.mode, token)
        try:
            principal = await self.directory.find(email)
        except NotFound:
            raise Unauthenticated("the signed-in user is not known to the directory") from None
        return ResolvedIdentity(principal, self.mode, token)
