"""The one place the AI providers' SDK errors become the domain error tree.

Each official SDK raises its own exception with an HTTP status; the status
decides the class, as for Databricks' wire errors. The key never reaches a
message: texts pass through the redactor with the key registered.
"""

from __future__ import annotations

from collections.abc import Iterable

from appkit_domain.audit.redaction import Redactor
from appkit_domain.errors import (
    AppkitError,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unauthenticated,
    Unavailable,
)

BY_STATUS: dict[int, type[AppkitError]] = {
    400: InvalidInput,
    401: Unauthenticated,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    422: InvalidInput,
    429: RateLimited,
}


def provider_error(provider: str, exc: BaseException, secrets: Iterable[str] = ()) -> AppkitError:
    """The domain error for an exception an AI SDK raised."""
    if isinstance(exc, AppkitError):
        return exc
    status = getattr(exc, "status_code", None) or getattr(exc, "code", None)
    status = status if isinstance(status, int) else None
    message = Redactor(secrets).redact_text(str(exc))[:500] or type(exc).__name__
    text = f"{provider}: {message}"
    details = {"provider": provider, "http_status": status}
    if status == 429:
        return RateLimited(text, details=details)
    if "api key not valid" in message.lower():  # Gemini answers a bad key with 400
        return Unauthenticated(text, details=details)
    cls = BY_STATUS.get(status or 0, Unavailable)
    return cls(text, details=details)
