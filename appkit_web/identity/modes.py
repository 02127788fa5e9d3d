"""Identity modes: how a request's principal is found, or why it is refused.

- :class:`AppsProxyIdentity` (``databricks-apps``) trusts the Apps proxy
  headers. With an on-behalf-of token the principal comes from SCIM ``Me``
  called with that token and must match ``X-Forwarded-Email``; results are
  cached by a hash of the token for ``me_ttl`` seconds. Without a token the
  principal is looked up in the directory by the forwarded email.
- :class:`DevIdentity` (``dev``) accepts simulated proxy headers from
  loopback clients only, resolves them in a configured directory and labels
  the request ``dev``. Access tokens are ignored in this mode.
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

from appkit_domain.errors import NotFound, Unauthenticated
from appkit_domain.ports.directory import Directory
from appkit_domain.principal import Principal
from appkit_web.identity.headers import (
    ACCESS_TOKEN,
    EMAIL,
    PREFERRED_USERNAME,
    USER,
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


class DevIdentity(IdentityResolver):
    """Simulated proxy headers from loopback clients, resolved in ``directory``."""

    mode = "dev"

    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    async def resolve(self, scope: Mapping[str, Any]) -> ResolvedIdentity:
        headers = identity_headers(scope)
        if not headers:
            return ResolvedIdentity(None, self.mode)
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
        return ResolvedIdentity(principal, self.mode)


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
        self._me = me
        self._monotonic = monotonic
        self._ttl = me_ttl
        self._size = cache_size
        self._cache: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    async def resolve(self, scope: Mapping[str, Any]) -> ResolvedIdentity:
        headers = identity_headers(scope)
        email = headers.get(EMAIL, "")
        token = headers.get(ACCESS_TOKEN) or None
        if not email:
            if headers:
                raise Unauthenticated("the proxy sent no X-Forwarded-Email")
            return ResolvedIdentity(None, self.mode)
        if token is not None and self._me is not None:
            principal = await self._principal_of_token(token)
            if principal.email.strip().lower() != email.lower():
                raise IdentityMismatch(
                    "X-Forwarded-Email does not belong to the forwarded access token"
                )
            return ResolvedIdentity(principal, self.mode, token)
        try:
            principal = await self.directory.find(email)
        except NotFound:
            raise Unauthenticated("the signed-in user is not known to the directory") from None
        return ResolvedIdentity(principal, self.mode, token)

    async def _principal_of_token(self, token: str) -> Principal:
        assert self._me is not None
        key = hashlib.sha256(token.encode()).hexdigest()
        now = self._monotonic()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            self._cache.move_to_end(key)
            return cached[1]
        try:
            principal = await self._me(token)
        except (NotFound, Unauthenticated):
            raise Unauthenticated("the forwarded access token is not valid") from None
        # A user the directory has not seen yet keeps the groups SCIM Me gave.
        with contextlib.suppress(NotFound):
            principal = principal.with_groups(await self.directory.groups_of(principal.id))
        self._cache[key] = (now + self._ttl, principal)
        self._cache.move_to_end(key)
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return principal
