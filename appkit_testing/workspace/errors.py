"""Errors shaped like the real workspace answers them, so the official SDK raises its real classes.

The SDK picks an exception class from ``error_code`` first and from the HTTP
status second, so every :class:`ApiError` carries both exactly as the real
service sends them.
"""

from __future__ import annotations

from collections.abc import Mapping


class ApiError(Exception):
    """A rejected request: HTTP ``status`` with a ``{"error_code", "message"}`` body."""

    def __init__(
        self,
        status: int,
        error_code: str | int,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message
        self.headers = dict(headers or {})

    def body(self) -> dict[str, object]:
        return {"error_code": self.error_code, "message": self.message}


def invalid_parameter(message: str) -> ApiError:
    return ApiError(400, "INVALID_PARAMETER_VALUE", message)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BAD_REQUEST", message)


def resource_missing(message: str) -> ApiError:
    """404 ``RESOURCE_DOES_NOT_EXIST``: the SDK raises ``ResourceDoesNotExist``."""
    return ApiError(404, "RESOURCE_DOES_NOT_EXIST", message)


def not_found(error_code: str, message: str) -> ApiError:
    """404 with a specific code such as ``TABLE_DOES_NOT_EXIST``: the SDK raises ``NotFound``."""
    return ApiError(404, error_code, message)


def already_exists(message: str, error_code: str = "RESOURCE_ALREADY_EXISTS") -> ApiError:
    return ApiError(409, error_code, message)


def permission_denied(message: str) -> ApiError:
    return ApiError(403, "PERMISSION_DENIED", message)


def unauthenticated() -> ApiError:
    """No credential: the real gateway answers 401 with an integer code."""
    message = "Credential was not sent or was of an unsupported type for this API."
    return ApiError(401, 401, message, headers={"X-Databricks-Reason-Phrase": message})


def invalid_token() -> ApiError:
    """An unknown or expired token: the real gateway answers 403 with an integer code."""
    message = "Invalid access token."
    return ApiError(403, 403, message, headers={"X-Databricks-Reason-Phrase": message})
