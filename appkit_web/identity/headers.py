"""The identity headers the Databricks Apps proxy sets, read from an ASGI scope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from appkit_domain.errors import Unauthenticated

EMAIL = "x-forwarded-email"
USER = "x-forwarded-user"
PREFERRED_USERNAME = "x-forwarded-preferred-username"
ACCESS_TOKEN = "x-forwarded-access-token"  # noqa: S105 - a header name, not a secret

IDENTITY_HEADERS: frozenset[str] = frozenset({EMAIL, USER, PREFERRED_USERNAME, ACCESS_TOKEN})

LOOPBACK_HOSTS: frozenset[str] = frozenset({"127.0.0.1", "::1", "localhost"})

DEV_USER_COOKIE = "appkit_dev_user"
"""The console's user switcher (dev identity only): the email a browser acts as."""


class ConflictingIdentityHeaders(Unauthenticated):
    """One identity header arrived more than once with different values."""

    code = "conflicting_identity_headers"


def identity_headers(scope: Mapping[str, Any]) -> dict[str, str]:
    """The identity headers present on the request (lower-case names).

    A header sent with an empty value counts as present: a client that sends
    it still tried to assert an identity. A header repeated with another
    value raises :class:`ConflictingIdentityHeaders`: which copy a proxy set
    and which a client added cannot be told apart, so neither is trusted.
    """
    found: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").lower()
        if name in IDENTITY_HEADERS:
            value = raw_value.decode("latin-1").strip()
            if found.get(name, value) != value:
                raise ConflictingIdentityHeaders(
                    f"the {name} header arrived more than once with different values"
                )
            found[name] = value
    return found


def is_loopback(scope: Mapping[str, Any]) -> bool:
    """Whether the TCP peer is this machine (the ASGI ``client``, never a forwarded header)."""
    client = scope.get("client")
    if not client:
        return False
    host = str(client[0])
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def cookie(scope: Mapping[str, Any], name: str) -> str | None:
    """The value of cookie ``name`` on the request, or None."""
    from http.cookies import CookieError, SimpleCookie

    for raw_name, raw_value in scope.get("headers", ()):
        if raw_name.lower() == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(raw_value.decode("latin-1"))
            except CookieError:
                continue
            if name in jar:
                return jar[name].value
    return None
