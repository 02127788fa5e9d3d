"""The identity headers the Databricks Apps proxy sets, read from an ASGI scope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

EMAIL = "x-forwarded-email"
USER = "x-forwarded-user"
PREFERRED_USERNAME = "x-forwarded-preferred-username"
ACCESS_TOKEN = "x-forwarded-access-token"  # noqa: S105 - a header name, not a secret

IDENTITY_HEADERS: frozenset[str] = frozenset({EMAIL, USER, PREFERRED_USERNAME, ACCESS_TOKEN})

LOOPBACK_HOSTS: frozenset[str] = frozenset({"127.0.0.1", "::1", "localhost"})


def identity_headers(scope: Mapping[str, Any]) -> dict[str, str]:
    """The identity headers present on the request (lower-case names, last value wins).

    A header sent with an empty value counts as present: a client that sends
    it still tried to assert an identity.
    """
    found: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").lower()
        if name in IDENTITY_HEADERS:
            found[name] = raw_value.decode("latin-1").strip()
    return found


def is_loopback(scope: Mapping[str, Any]) -> bool:
    """Whether the TCP peer is this machine (the ASGI ``client``, never a forwarded header)."""
    client = scope.get("client")
    if not client:
        return False
    host = str(client[0])
    return host in LOOPBACK_HOSTS or host.startswith("127.")
