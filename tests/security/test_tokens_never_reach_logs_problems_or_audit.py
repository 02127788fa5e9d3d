"""A token-shaped value sent anywhere in a request (headers, path, body) never reaches a log
line, a problem+json body or an audit event.

(A successful response may show back free text the caller stored, such as a justification:
that is the caller's own record, not an error or a log.)"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from appkit_testing.memory_app import memory_container
from appkit_web.logs import JsonFormatter
from tests.web.conftest import ALICE, BOB, Api, make_settings, open_client

PAT = "dapi0123456789abcdef0123456789abcdef"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl"


@pytest.fixture
def captured_logs() -> Iterator[Callable[[], str]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    names = ("appkit_web", "appkit_web.access", "appkit_adapters", "appkit_domain", "appkit")
    loggers = [logging.getLogger(n) for n in names]
    saved = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield stream.getvalue
    root.removeHandler(handler)
    for lg, (level, propagate) in zip(loggers, saved):
        lg.removeHandler(handler)
        lg.setLevel(level)
        lg.propagate = propagate


@pytest.mark.parametrize("token", [PAT, JWT])
async def test_a_token_sent_anywhere_never_reaches_logs_problems_or_audit(
    tmp_path: Path, captured_logs, token: str
):
    container = memory_container(make_settings(tmp_path))
    bodies: list[str] = []
    secret_headers = {
        "Authorization": f"Bearer {token}",
        "X-Forwarded-Access-Token": token,
        "Cookie": f"session={token}",
        "X-Request-Id": token[:100],
    }
    async for api in open_client(container):

        async def send(
            method: str, path: str, user: str | None = ALICE, api: Api = api, **kw
        ) -> None:
            response = await api.call(method, path, user, headers=secret_headers, **kw)
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json"
                bodies.append(response.text)

        await send("GET", "/api/me")
        await send("GET", f"/api/approvals/{token}")
        await send("GET", f"/api/writeback/changes?page_token={token}")
        await send(
            "GET",
            "/api/overrides/effective",
            params={"entity": token, "metric": "m", "period": "p"},
        )
        await send("POST", "/api/overrides", json={
            "entity": "ACME", "metric": "var_99", "period": "2026-Q3", "value": "1300000",
            "justification": f"token {token} pasted by mistake",
        })  # fmt: skip
        await send("POST", "/api/overrides", json={"entity": token, "value": token})
        await send("POST", "/api/writeback/changes", json={
            "table": "demo.crm.customers", "key": {"customer_id": token},
            "set": {"tier": token}, "reason": token,
        })  # fmt: skip
        await send("POST", "/api/writeback/changes", json={
            "table": f"demo.crm.{token}", "key": {token: 1}, "set": {token: 1}, "reason": "r",
        })  # fmt: skip
        await send("POST", "/api/sql/query", json={"statement": f"SELECT '{token}'"})
        await send("POST", "/api/sql/query", json={"statement": f"SELEC '{token}'"})
        await send("POST", "/api/exceptions", json={
            "check": "c", "table": "demo.crm.customers", "rule": token, "severity": "HIGH",
            "failing_key": token, "observed_value": token, "owner": token,
        })  # fmt: skip
        await send(
            "POST", "/api/approvals/x/approve", BOB, json={"comment": token, "seen_hash": token}
        )
        await send("GET", "/api/me", None)  # no identity: the token headers alone
    assert len(bodies) >= 10
    for body in bodies:
        assert token not in body, body
    assert token not in captured_logs()
    events = container.backend.audit_store().rows
    assert events and all(token not in repr(event) for event in events)


@pytest.mark.parametrize("token", [PAT, JWT])
async def test_a_problem_detail_echoing_a_client_value_carries_no_token(api, token: str):
    response = await api.get(f"/api/approvals/{token}", ALICE)
    assert response.status_code == 404
    assert token not in response.text and "[REDACTED]" in response.json()["detail"]


@pytest.mark.parametrize("token", [PAT, JWT])
async def test_a_token_shaped_request_id_is_replaced_before_logs_and_audit(api, token: str):
    response = await api.get("/api/me", ALICE, headers={"X-Request-Id": token})
    assert response.status_code == 200
    assert response.headers["x-request-id"] != token
    kept = await api.get("/api/me", ALICE, headers={"X-Request-Id": "req-7f3a-0001"})
    assert kept.headers["x-request-id"] == "req-7f3a-0001"
