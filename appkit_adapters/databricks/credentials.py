"""Where Databricks auth headers come from.

``databricks-sdk``'s ``Config`` resolves credentials (PAT, OAuth M2M including
the Apps runtime variables ``DATABRICKS_HOST``/``DATABRICKS_CLIENT_ID``/
``DATABRICKS_CLIENT_SECRET``, token refresh); aiohttp carries the calls. Header
values are never logged and never appear in ``repr``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Protocol

from databricks.sdk.config import Config

from appkit_domain.errors import InvalidInput, Unauthenticated


class CredentialSource(Protocol):
    """Produces the auth headers for one call."""

    async def headers(self) -> dict[str, str]:
        """Fresh (or still valid cached) auth headers; ``Unauthenticated`` when none can be made."""
        ...

    def invalidate(self) -> None:
        """Forget cached headers (after the server refused them)."""
        ...

    @property
    def can_refresh(self) -> bool:
        """Whether headers obtained after :meth:`invalidate` may differ (worth one more try)."""
        ...

    def secret_values(self) -> tuple[str, ...]:
        """Strings that must be scrubbed from any message (the token itself)."""
        ...


class BearerToken(CredentialSource):
    """A fixed bearer token, e.g. the user's on-behalf-of token from ``X-Forwarded-Access-Token``."""

    def __init__(self, token: str) -> None:
        if not token or not token.strip():
            raise Unauthenticated("an empty access token was given")
        self._token = token.strip()

    async def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def invalidate(self) -> None:
        """A fixed token cannot be refreshed; nothing to forget."""

    @property
    def can_refresh(self) -> bool:
        return False

    def secret_values(self) -> tuple[str, ...]:
        return (self._token,)

    def __repr__(self) -> str:
        return "BearerToken(***)"


class SdkCredentials(CredentialSource):
    """Headers from ``Config.authenticate()``, cached for ``cache_seconds``.

    A PAT's header never changes, so it is cached for good. OAuth headers are
    re-read from the SDK after ``cache_seconds`` (the SDK refreshes the token
    ahead of its expiry, so a short cache never serves an expired token).
    ``authenticate()`` may do network I/O while refreshing, so it runs in a
    worker thread.
    """

    def __init__(
        self,
        config: Config,
        *,
        cache_seconds: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._cache_seconds = cache_seconds
        self._monotonic = monotonic
        self._cached: dict[str, str] | None = None
        self._cached_at = 0.0
        self._lock = asyncio.Lock()

    @property
    def auth_type(self) -> str:
        return str(self.config.auth_type or "")

    async def headers(self) -> dict[str, str]:
        if self._fresh():
            assert self._cached is not None
            return dict(self._cached)
        async with self._lock:
            if not self._fresh():
                try:
                    headers = await asyncio.to_thread(self.config.authenticate)
                except Exception as exc:
                    raise Unauthenticated(
                        f"could not obtain Databricks credentials ({self.auth_type or 'unknown'} auth)"
                    ) from exc
                self._cached = dict(headers)
                self._cached_at = self._monotonic()
            assert self._cached is not None
            return dict(self._cached)

    def invalidate(self) -> None:
        self._cached = None

    @property
    def can_refresh(self) -> bool:
        return self.auth_type != "pat"

    def secret_values(self) -> tuple[str, ...]:
        values = [self.config.token, self.config.client_secret, self.config.password]
        if self._cached:
            values.extend(v.split(" ", 1)[-1] for v in self._cached.values())
        return tuple(v for v in values if isinstance(v, str) and v)

    def _fresh(self) -> bool:
        if self._cached is None:
            return False
        if self.auth_type == "pat":
            return True
        return self._monotonic() - self._cached_at < self._cache_seconds

    def __repr__(self) -> str:
        return f"SdkCredentials(host={self.config.host!r}, auth_type={self.auth_type!r})"


# Config attributes that must not be read from the environment for a user's
# client: anything that would add a second auth method or another identity.
_ISOLATED_KEEP = {"host", "token", "auth_type"}


def service_principal_config(host: str | None = None, **overrides: Any) -> Config:
    """The app's own identity, resolved the SDK's way (env vars, profile, Apps runtime).

    In Databricks Apps this resolves to OAuth M2M with the app's service
    principal. Construction may do network I/O (host metadata, OIDC discovery):
    call it at start-up, not per request. Failures become ``Unauthenticated``.
    """
    kwargs = dict(overrides)
    if host is not None:
        kwargs["host"] = host
    try:
        return Config(**kwargs)
    except ValueError as exc:
        raise Unauthenticated(f"Databricks credentials could not be resolved: {exc}") from None


def on_behalf_of_config(host: str, token: str, **overrides: Any) -> Config:
    """A ``Config`` acting as one user with their token (``auth_type="pat"``).

    Every other credential or identity attribute is pinned empty so the
    service principal's environment (``DATABRICKS_CLIENT_ID``, ``..._SECRET``,
    ``DATABRICKS_TOKEN``, a config profile) can never leak in or be mixed with
    the user's token. Note that ``databricks-sdk`` probes the host's metadata on
    construction; for per-request aiohttp calls prefer :class:`BearerToken`.
    """
    if not host:
        raise InvalidInput("a host is needed for an on-behalf-of client")
    if not token or not token.strip():
        raise Unauthenticated("an empty access token was given")
    kwargs: dict[str, Any] = {}
    for attribute in Config.attributes():
        if attribute.name in _ISOLATED_KEEP or attribute.transform is not str:
            continue
        if attribute.env:
            kwargs[attribute.name] = ""
    kwargs.update(overrides)
    kwargs.update(host=host, token=token.strip(), auth_type="pat")
    try:
        return Config(**kwargs)
    except ValueError:
        raise Unauthenticated("the on-behalf-of token could not be used") from None
