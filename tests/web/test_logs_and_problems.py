"""JSON logs carry the request id and principal and never a secret; one error mapping."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import httpx
import pytest

from appkit_domain.approvals import AlreadyDecided, NotEligible, RequestExpired, SelfApproval
from appkit_domain.errors import (
    ALL_ERRORS,
    AppkitError,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
    StaleVersion,
    Unauthenticated,
    Unavailable,
)
from appkit_testing.memory_app import memory_container
from appkit_web.app import create_app
from appkit_web.logs import JsonFormatter
from appkit_web.problems import error_response, status_of
from tests.web.conftest import ALICE, make_settings, open_client

TOKEN = "dapi0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (Unauthenticated("x"), 401),
        (PermissionDenied("x"), 403),
        (SelfApproval("x"), 403),
        (NotEligible("x"), 403),
        (NotFound("x"), 404),
        (Conflict("x"), 409),
        (StaleVersion("x"), 409),
        (AlreadyDecided("x"), 409),
        (RequestExpired("x"), 409),
        (InvalidInput("x"), 400),
        (RateLimited("x", retry_after=2.4), 429),
        (Unavailable("x"), 503),
        (AppkitError("x"), 500),
    ],
)
def test_each_domain_error_maps_to_one_status(error: AppkitError, status: int):
    assert status_of(error)[0] == status
    response = error_response(error)
    body = json.loads(response.body)
    assert response.status_code == status
    assert body["code"] == error.code and body["status"] == status
    assert response.media_type == "application/problem+json"


def test_every_error_class_of_the_tree_has_a_status():
    for cls in ALL_ERRORS:
        assert status_of(cls("x"))[0] in {400, 401, 403, 404, 409, 429, 500, 503}


def test_a_500_does_not_leak_the_error_text():
    body = json.loads(error_response(AppkitError(f"boom with {TOKEN}")).body)
    assert TOKEN not in json.dumps(body)


def test_rate_limited_answers_retry_after():
    assert error_response(RateLimited("slow", retry_after=2.4)).headers["retry-after"] == "2"


@pytest.fixture
def log_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("appkit_web", "appkit_web.access")]
    previous = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for lg, (level, propagate) in zip(loggers, previous):
        lg.removeHandler(handler)
        lg.setLevel(level)
        lg.propagate = propagate


async def test_access_log_lines_carry_request_id_and_principal_but_no_token(
    tmp_path: Path, log_lines
):
    container = memory_container(make_settings(tmp_path))
    async for api in open_client(container):
        await api.get(
            "/api/me",
            ALICE,
            headers={"X-Request-Id": "req-log-1", "X-Forwarded-Access-Token": TOKEN},
        )
    lines = log_lines()
    access = [line for line in lines if line["logger"] == "appkit_web.access"]
    assert access and access[-1]["request_id"] == "req-log-1"
    assert access[-1]["principal"] == "dev:alice@example.com"
    assert all(TOKEN not in json.dumps(line) for line in lines)


async def test_dev_identity_warns_at_start_up(tmp_path: Path, log_lines):
    container = memory_container(make_settings(tmp_path))
    async for _api in open_client(container):
        pass
    assert any(line["level"] == "WARNING" and "DEV IDENTITY" in line["message"]
               for line in log_lines())  # fmt: skip


def test_the_formatter_redacts_tokens_in_messages_and_fields():
    record = logging.makeLogRecord(
        {"msg": "calling with Bearer %s", "args": (TOKEN,), "levelname": "INFO",
         "name": "appkit_web.x", "authorization": f"Bearer {TOKEN}"}
    )  # fmt: skip
    line = JsonFormatter().format(record)
    assert TOKEN not in line and "[REDACTED]" in line


async def test_a_logged_500_carries_the_traceback_message_and_request_id(tmp_path: Path, log_lines):
    container = memory_container(make_settings(tmp_path))
    app = create_app(container)

    @app.get("/api/boom")
    async def boom() -> None:
        raise KeyError(f"missing-key {TOKEN}")

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(
            app=app, client=("127.0.0.1", 5000), raise_app_exceptions=False
        )
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.get("/api/boom", headers={"X-Request-Id": "req-500"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-500"
    assert response.json()["code"] == "internal_error" and "missing-key" not in response.text
    logged = [line for line in log_lines() if line["logger"] == "appkit_web.problems"]
    assert logged, log_lines()
    line = logged[-1]
    assert line["request_id"] == "req-500" and line["level"] == "ERROR"
    assert line["error"] == "KeyError" and "missing-key" in line["error_message"]
    assert "Traceback" in line["traceback"] and "in boom" in line["traceback"]
    assert "missing-key" in line["message"]
    assert TOKEN not in json.dumps(line)


def test_create_app_sets_up_json_logs(tmp_path: Path):
    import appkit_web.logs as logs

    create_app(memory_container(make_settings(tmp_path, APPKIT_LOG_LEVEL="DEBUG")))
    handlers = [
        h for h in logging.getLogger("appkit_web").handlers if h.get_name() == "appkit-json"
    ]
    assert len(handlers) == 1 and isinstance(handlers[0].formatter, logs.JsonFormatter)
    assert logging.getLogger("appkit_web").level == logging.DEBUG
    assert logging.getLogger("uvicorn.access").level == logging.WARNING
    create_app(memory_container(make_settings(tmp_path)))  # idempotent
    assert len([h for h in logging.getLogger("uvicorn").handlers
                if h.get_name() == "appkit-json"]) == 1  # fmt: skip
