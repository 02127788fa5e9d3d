"""The error tree every layer speaks.

Adapters translate wire errors into these classes in one place; the web layer
maps them to HTTP statuses in one place. Each class has a stable machine
``code`` that clients may rely on; subclasses refine it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar


class AppkitError(Exception):
    """Root of every error the toolkit raises on purpose."""

    code: ClassVar[str] = "appkit_error"

    def __init__(self, message: str, *, details: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: Mapping[str, object] = MappingProxyType(dict(details or {}))

    def __str__(self) -> str:
        return self.message


class Unauthenticated(AppkitError):
    """No trustworthy identity came with the call."""

    code = "unauthenticated"


class NotFound(AppkitError):
    """The named object does not exist (or the caller may not know it exists)."""

    code = "not_found"


class PermissionDenied(AppkitError):
    """The identity is known but may not do this."""

    code = "permission_denied"


class Conflict(AppkitError):
    """The object's state or version does not allow the command."""

    code = "conflict"


class InvalidTransition(Conflict):
    """A state machine was asked for a transition that does not exist."""

    code = "invalid_transition"


class StaleVersion(Conflict):
    """An optimistic write saw a version other than the one it read."""

    code = "stale_version"


class ConcurrentModification(Conflict):
    """The object kept changing under a command after every bounded retry on fresh state."""

    code = "concurrent_modification"


class InvalidInput(AppkitError):
    """The input is malformed or breaks a configured rule."""

    code = "invalid_input"


class Unavailable(AppkitError):
    """A dependency (warehouse, API) cannot answer now; retrying later may work."""

    code = "unavailable"


class RateLimited(Unavailable):
    """Too many calls; ``retry_after`` (seconds) says when to try again, if known."""

    code = "rate_limited"

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        details: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.retry_after = retry_after


ALL_ERRORS: tuple[type[AppkitError], ...] = (
    AppkitError,
    Unauthenticated,
    NotFound,
    PermissionDenied,
    Conflict,
    InvalidTransition,
    StaleVersion,
    ConcurrentModification,
    InvalidInput,
    Unavailable,
    RateLimited,
)
