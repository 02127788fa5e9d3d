"""One table turns every wire error shape into the domain error tree."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appkit_adapters.databricks.errors import parse_error_body, sql_error_class, translate_error
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

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (404, "TABLE_DOES_NOT_EXIST", NotFound),
        (404, "RESOURCE_DOES_NOT_EXIST", NotFound),
        (400, "RESOURCE_DOES_NOT_EXIST", NotFound),  # the code wins over the status
        (403, "PERMISSION_DENIED", PermissionDenied),
        (401, "UNAUTHENTICATED", Unauthenticated),
        (400, "INVALID_PARAMETER_VALUE", InvalidInput),
        (409, "RESOURCE_ALREADY_EXISTS", Conflict),
        (400, "INVALID_STATE", Conflict),
        (429, "REQUEST_LIMIT_EXCEEDED", RateLimited),
        (503, "TEMPORARILY_UNAVAILABLE", Unavailable),
        (500, "INTERNAL_ERROR", Unavailable),
    ],
)
def test_a_known_error_code_picks_the_domain_class(status: int, code: str, expected: type) -> None:
    error = translate_error(status, f'{{"error_code": "{code}", "message": "m"}}')
    assert type(error) is expected
    assert error.details["error_code"] == code
    assert error.details["http_status"] == status


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, InvalidInput),
        (401, Unauthenticated),
        (403, PermissionDenied),
        (404, NotFound),
        (409, Conflict),
        (418, InvalidInput),
        (429, RateLimited),
        (500, Unavailable),
        (502, Unavailable),
        (503, Unavailable),
        (504, Unavailable),
    ],
)
def test_an_unknown_code_falls_back_to_the_http_status(status: int, expected: type) -> None:
    assert type(translate_error(status, '{"error_code": "SOMETHING_NEW"}')) is expected


def test_an_integer_error_code_counts_as_absent() -> None:
    error = translate_error(403, '{"error_code": 403, "message": "Invalid access token."}')
    assert isinstance(error, PermissionDenied)
    assert "error_code" not in error.details
    assert error.message == "Invalid access token."


def test_a_legacy_error_field_is_the_message() -> None:
    error = translate_error(400, '{"error": "bad thing"}')
    assert error.message == "bad thing"


def test_a_scim_error_body_is_read() -> None:
    body = '{"schemas": [], "detail": "User not found", "status": "404", "scimType": "invalid"}'
    error = translate_error(404, body)
    assert isinstance(error, NotFound)
    assert error.message == "invalid User not found"
    assert error.details["error_code"] == "SCIM_404"


def test_a_plain_text_body_gives_code_and_message() -> None:
    error = translate_error(400, "RESOURCE_DOES_NOT_EXIST: no such scope")
    assert isinstance(error, NotFound)
    assert error.message == "no such scope"


def test_an_html_body_gives_the_title_and_the_reason_as_code() -> None:
    body = "<html><head><title>Error 403 Invalid access token.</title></head></html>"
    code, message = parse_error_body(body, reason="Forbidden")
    assert (code, message) == ("FORBIDDEN", "Error 403 Invalid access token.")
    assert isinstance(translate_error(403, body, reason="Forbidden"), PermissionDenied)


def test_an_html_pre_block_wins_over_the_title() -> None:
    body = "<html><title>Oops</title><body><pre>backend said no</pre></body></html>"
    assert parse_error_body(body)[1] == "backend said no"


def test_an_empty_body_uses_the_reason_phrase() -> None:
    error = translate_error(503, b"", reason="Service Unavailable")
    assert isinstance(error, Unavailable)
    assert error.message == "Service Unavailable"


def test_retry_after_seconds_on_429_becomes_retry_after() -> None:
    error = translate_error(429, "{}", headers={"Retry-After": "12"})
    assert isinstance(error, RateLimited)
    assert error.retry_after == 12.0


def test_retry_after_http_date_on_429_is_seconds_from_now() -> None:
    error = translate_error(
        429, "{}", headers={"retry-after": "Mon, 05 Jan 2026 09:00:30 GMT"}, now=NOW
    )
    assert isinstance(error, RateLimited)
    assert error.retry_after == 30.0


def test_a_429_without_retry_after_leaves_it_unknown() -> None:
    error = translate_error(429, "{}")
    assert isinstance(error, RateLimited)
    assert error.retry_after is None


def test_retry_after_on_503_goes_into_details() -> None:
    error = translate_error(503, "{}", headers={"Retry-After": "3"})
    assert type(error) is Unavailable
    assert error.details["retry_after"] == 3.0


def test_messages_never_carry_tokens() -> None:
    body = (
        '{"error_code": "PERMISSION_DENIED", "message": "token '
        'dapi0123456789abcdef0123456789abcdef and Bearer abc.def.ghijklmnop refused"}'
    )
    error = translate_error(403, body)
    assert "dapi0123" not in error.message
    assert "abc.def.ghijklmnop" not in error.message
    assert "[REDACTED]" in error.message


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("BAD_REQUEST", "[TABLE_OR_VIEW_NOT_FOUND] The table `x` cannot be found.", NotFound),
        ("BAD_REQUEST", "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'", InvalidInput),
        ("BAD_REQUEST", "[INSUFFICIENT_PERMISSIONS] User does not have SELECT", PermissionDenied),
        ("BAD_REQUEST", "[UNRESOLVED_COLUMN.WITH_SUGGESTION] column `x`", InvalidInput),
        ("BAD_REQUEST", "[DELTA_CONCURRENT_APPEND] files were added", Conflict),
        ("PERMISSION_DENIED", "no access", PermissionDenied),
        ("TEMPORARILY_UNAVAILABLE", "warehouse restarting", Unavailable),
        (None, "something odd", Unavailable),
    ],
)
def test_failed_statements_map_by_condition_then_code(
    code: str | None, message: str, expected: type
) -> None:
    assert sql_error_class(code, message) is expected


@settings(max_examples=60, deadline=None)
@given(
    status=st.integers(400, 599),
    prefix=st.text(max_size=40),
    suffix=st.text(max_size=40),
    shape=st.sampled_from(["json", "text", "html", "raw"]),
)
def test_any_error_body_translates_and_never_carries_the_token(
    status: int, prefix: str, suffix: str, shape: str
) -> None:
    token = "dapi0123456789abcdef0123456789abcdef"
    message = f"{prefix} {token} {suffix}"
    body = {
        "json": json.dumps({"error_code": "SOMETHING", "message": message}),
        "text": f"SOME_CODE: {message}",
        "html": f"<html><title>{message}</title></html>",
        "raw": message,
    }[shape]
    error = translate_error(status, body, redactor=Redactor([token]))
    assert isinstance(error, AppkitError)
    assert token not in str(error)
    assert token not in repr(dict(error.details))
