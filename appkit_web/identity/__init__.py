"""Who is calling: identity resolved in exactly one place, by an explicit mode."""

from appkit_web.identity.configured_directory import ConfiguredDirectory
from appkit_web.identity.headers import IDENTITY_HEADERS
from appkit_web.identity.middleware import IdentityMiddleware
from appkit_web.identity.modes import (
    AppsProxyIdentity,
    DevIdentity,
    IdentityResolver,
    NoIdentity,
    ResolvedIdentity,
)

__all__ = [
    "IDENTITY_HEADERS",
    "AppsProxyIdentity",
    "ConfiguredDirectory",
    "DevIdentity",
    "IdentityMiddleware",
    "IdentityResolver",
    "NoIdentity",
    "ResolvedIdentity",
]
