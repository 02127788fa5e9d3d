"""The one table that turns Databricks wire errors into the domain error tree.

A failed response is read in this order: a JSON object (``error_code`` as a
string, or an integer which counts as absent; ``message``; a legacy ``error``;
SCIM ``detail``/``status``/``scimType``), then plain text ``ERROR_CODE: message``,
then an HTML ``<pre>``/``<title>``. The class comes from the error code when the
table knows it, else from the HTTP status, except where :data:`OVERRIDES` says
otherwise for one operation (Jobs answers a missing run with 400). ``Retry-After`` (delta-seconds or an
HTTP-date) on a 429/503 becomes ``RateLimited.retry_after`` or
``details["retry_after"]``. Messages pass through a redactor so no token ever
reaches an error.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from appkit_adapters.resilience.retry import parse_retry_after
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

ERROR_CODE_CLASSES: Mapping[str, type[AppkitError]] = {
    # not found
    "NOT_FOUND": NotFound,
    "RESOURCE_DOES_NOT_EXIST": NotFound,
    "TABLE_DOES_NOT_EXIST": NotFound,
    "TABLE_OR_VIEW_NOT_FOUND": NotFound,
    "SCHEMA_DOES_NOT_EXIST": NotFound,
    "SCHEMA_NOT_FOUND": NotFound,
    "CATALOG_DOES_NOT_EXIST": NotFound,
    "CATALOG_NOT_FOUND": NotFound,
    "FUNCTION_DOES_NOT_EXIST": NotFound,
    "VOLUME_DOES_NOT_EXIST": NotFound,
    # identity and permission
    "UNAUTHENTICATED": Unauthenticated,
    "PERMISSION_DENIED": PermissionDenied,
    "INSUFFICIENT_PERMISSIONS": PermissionDenied,
    # bad input
    "INVALID_PARAMETER_VALUE": InvalidInput,
    "BAD_REQUEST": InvalidInput,
    "INVALID_REQUEST": InvalidInput,
    "MALFORMED_REQUEST": InvalidInput,
    "RESOURCE_LIMIT_EXCEEDED": InvalidInput,
    "PARSE_SYNTAX_ERROR": InvalidInput,
    # state conflicts
    "INVALID_STATE": Conflict,
    "ALREADY_EXISTS": Conflict,
    "RESOURCE_ALREADY_EXISTS": Conflict,
    "TABLE_OR_VIEW_ALREADY_EXISTS": Conflict,
    "RESOURCE_CONFLICT": Conflict,
    "ABORTED": Conflict,
    # throttling
    "RESOURCE_EXHAUSTED": RateLimited,
    "REQUEST_LIMIT_EXCEEDED": RateLimited,
    "TOO_MANY_REQUESTS": RateLimited,
    # the dependency cannot answer now
    "TEMPORARILY_UNAVAILABLE": Unavailable,
    "SERVICE_UNDER_MAINTENANCE": Unavailable,
    "WORKSPACE_TEMPORARILY_UNAVAILABLE": Unavailable,
    "DEADLINE_EXCEEDED": Unavailable,
    "INTERNAL_ERROR": Unavailable,
    "IO_ERROR": Unavailable,
    "UNKNOWN": Unavailable,
    "DATA_LOSS": Unavailable,
    "CANCELLED": Unavailable,
}

HTTP_STATUS_CLASSES: Mapping[int, type[AppkitError]] = {
    400: InvalidInput,
    401: Unauthenticated,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    412: Conflict,
    429: RateLimited,
    499: Unavailable,
    500: Unavailable,
    502: Unavailable,
    503: Unavailable,
    504: Unavailable,
}

# Jobs and Clusters answer a missing id with 400 INVALID_PARAMETER_VALUE
# ("Run 7 does not exist"); databricks-sdk overrides those to "does not exist"
# and so does this table: (operation pattern, error code, message pattern).
OVERRIDES: tuple[tuple[re.Pattern[str], str, re.Pattern[str], type[AppkitError]], ...] = (
    (
        re.compile(r"^(GET|POST) /api/2\.[0-9]/jobs/"),
        "INVALID_PARAMETER_VALUE",
        re.compile(r"\b(Job|Run) \d+ does not exist", re.IGNORECASE),
        NotFound,
    ),
    (
        re.compile(r"^GET /api/2\.[0-9]/clusters/get"),
        "INVALID_PARAMETER_VALUE",
        re.compile(r"Cluster .+ does not exist", re.IGNORECASE),
        NotFound,
    ),
)

_TEXT_CODE = re.compile(r"^([A-Z][A-Z0-9_]+): (.+)$", re.DOTALL)
_HTML_PRE = re.compile(r"<pre>(.*?)</pre>", re.IGNORECASE | re.DOTALL)
_HTML_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_SQL_CONDITION = re.compile(r"^\[([A-Z][A-Z0-9_]+)(?:\.[A-Z0-9_]+)?\]")
_MAX_MESSAGE = 1000


def class_for(error_code: str | None, status: int) -> type[AppkitError]:
    """The domain class for a code (wins when known) or, failing that, an HTTP status."""
    if error_code and error_code in ERROR_CODE_CLASSES:
        return ERROR_CODE_CLASSES[error_code]
    if status in HTTP_STATUS_CLASSES:
        return HTTP_STATUS_CLASSES[status]
    if 400 <= status < 500:
        return InvalidInput
    if status >= 500:
        return Unavailable
    return AppkitError


def parse_error_body(body: bytes | str, reason: str = "") -> tuple[str | None, str]:
    """``(error_code, message)`` from any of the body shapes Databricks sends."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = text.strip()
    if not text:
        return None, reason or "request failed"
    if text.startswith("{"):
        try:
            payload = json.loads(text)
        except ValueError:
            payload = None
        if isinstance(payload, dict):
            return _from_json(payload, reason)
    match = _TEXT_CODE.match(text)
    if match:
        return match.group(1), match.group(2).strip()
    for pattern in (_HTML_PRE, _HTML_TITLE):
        found = pattern.search(text)
        if found:
            message = html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()
            code = re.sub(r"[^A-Za-z0-9]+", "_", reason).strip("_").upper() or None
            return code, message
    return None, f"unreadable error response: {text[:200]}"


def _from_json(payload: dict[str, Any], reason: str) -> tuple[str | None, str]:
    if "scimType" in payload or ("detail" in payload and "status" in payload):
        scim_message = " ".join(str(payload.get(k, "")) for k in ("scimType", "detail")).strip()
        return f"SCIM_{payload.get('status')}", scim_message or reason or "request failed"
    raw_code = payload.get("error_code")
    code = raw_code if isinstance(raw_code, str) and raw_code else None
    message = payload.get("message")
    legacy = payload.get("error")
    if isinstance(legacy, str) and legacy:
        message = legacy
    if not isinstance(message, str) or not message:
        message = reason or "request failed"
    return code, message


def translate_error(
    status: int,
    body: bytes | str,
    *,
    headers: Mapping[str, str] | None = None,
    reason: str = "",
    operation: str = "",
    redactor: Redactor | None = None,
    now: datetime | None = None,
) -> AppkitError:
    """A domain error for one failed HTTP response.

    ``details`` carries ``http_status``, ``error_code`` (when known) and
    ``operation`` (e.g. ``GET /api/2.1/unity-catalog/tables/...``).
    """
    code, message = parse_error_body(body, reason)
    redact = redactor if redactor is not None else Redactor()
    message = redact.redact_text(message)[:_MAX_MESSAGE]
    cls = class_for(code, status)
    for operation_pattern, override_code, message_pattern, override in OVERRIDES:
        if (
            code == override_code
            and operation_pattern.match(operation)
            and message_pattern.search(message)
        ):
            cls = override
    details: dict[str, object] = {"http_status": status}
    if code:
        details["error_code"] = code
    if operation:
        details["operation"] = operation
    retry_after = None
    if status in (429, 503) or cls is RateLimited:
        header = None
        for key, value in (headers or {}).items():
            if key.lower() == "retry-after":
                header = value
        retry_after = parse_retry_after(header, now)
    if cls is RateLimited:
        return RateLimited(message, retry_after=retry_after, details=details)
    if retry_after is not None:
        details["retry_after"] = retry_after
    return cls(message, details=details)


def sql_error_class(error_code: str | None, message: str) -> type[AppkitError]:
    """The domain class for a FAILED statement: the bracketed condition in the message first.

    Databricks SQL messages start with a condition like ``[TABLE_OR_VIEW_NOT_FOUND]``
    or ``[PARSE_SYNTAX_ERROR]``; the ``status.error.error_code`` (e.g. ``BAD_REQUEST``)
    is the fallback.
    """
    condition = sql_condition(message)
    if condition and condition in ERROR_CODE_CLASSES:
        return ERROR_CODE_CLASSES[condition]
    if condition and condition.startswith(("UNRESOLVED_", "INVALID_", "DATATYPE_MISMATCH")):
        return InvalidInput
    if condition and condition.endswith(("_ALREADY_EXISTS", "CONCURRENT_APPEND")):
        return Conflict
    if condition and condition.startswith(("DELTA_CONCURRENT", "CONCURRENT_")):
        return Conflict
    if error_code and error_code in ERROR_CODE_CLASSES:
        return ERROR_CODE_CLASSES[error_code]
    return InvalidInput if condition else Unavailable


def sql_condition(message: str) -> str | None:
    """The error condition in brackets at the start of a Databricks SQL message, if any."""
    match = _SQL_CONDITION.match(message.strip())
    return match.group(1) if match else None


def statement_failure(statement_id: str, status: Mapping[str, Any]) -> AppkitError:
    """The domain error for a ``FAILED`` statement status, code and SQL state in ``details``."""
    error = status.get("error") or {}
    code = error.get("error_code") if isinstance(error.get("error_code"), str) else None
    message = Redactor().redact_text(str(error.get("message") or "the statement failed"))
    details: dict[str, object] = {"statement_id": statement_id}
    if code:
        details["error_code"] = code
    if status.get("sql_state"):
        details["sql_state"] = status["sql_state"]
    condition = sql_condition(message)
    if condition:
        details["condition"] = condition
    return sql_error_class(code, message)(message, details=details)
