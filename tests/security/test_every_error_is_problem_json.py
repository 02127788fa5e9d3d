"""Every error the app answers, whatever layer refuses the request, is problem+json with the
five fields; none is a 500."""

from __future__ import annotations

import pytest

from tests.web.conftest import ALICE, AUDITOR, Api

CASES = [
    ("GET", "/api/no-such-route", None, {}),
    ("DELETE", "/api/approvals", None, {}),
    ("PUT", "/api/overrides", None, {}),
    ("POST", "/api/overrides", b"\xff\xfe\x00garbage", {"content-type": "application/json"}),
    ("POST", "/api/overrides", b'{"entity": "A"}', {"content-type": "text/plain"}),
    ("POST", "/api/overrides", b"", {"content-type": "application/json"}),
    ("POST", "/api/overrides", b'{"entity": ' * 5000, {"content-type": "application/json"}),
    ("POST", "/api/overrides", b"[" * 100_000 + b"]" * 100_000, {"content-type": "application/json"}),
    ("POST", "/api/sql/query", b'{"statement": 1}', {"content-type": "application/json"}),
    ("POST", "/api/sql/query", b'{"statement": "SELECT 1", "parameters": {"a": {"b": 1}}}',
     {"content-type": "application/json"}),
    ("POST", "/api/sql/query", b'{"statement": "SELECT 1", "parameters": {"a": [1]}}',
     {"content-type": "application/json"}),
    ("POST", "/api/sql/query", b'{"statement": "SELECT 1", "row_limit": -1}',
     {"content-type": "application/json"}),
    ("POST", "/api/sql/query", b'{"statement": "SELECT 1", "row_limit": 1.5}',
     {"content-type": "application/json"}),
    ("POST", "/api/writeback/changes", b'{"table": "demo.crm.customers", "key": [], "set": 1}',
     {"content-type": "application/json"}),
    ("GET", "/api/approvals?page_size=abc", None, {}),
    ("GET", "/api/approvals?page_size=0", None, {}),
    ("GET", "/api/approvals?page_token=%ff%fe", None, {}),
    ("GET", "/api/audit/events?since=not-a-date", None, {}),
    ("GET", "/api/audit/events?since=2026-02-30T00:00:00Z", None, {}),
    ("GET", "/api/uc/tables/a%2Fb.c.d", None, {}),
]  # fmt: skip


@pytest.mark.parametrize("method,path,body,headers", CASES)
async def test_every_refusal_is_problem_json_and_never_a_500(api: Api, method, path, body, headers):
    user = AUDITOR if "/audit/" in path else ALICE
    response = await api.call(method, path, user, content=body, headers=headers)
    assert 400 <= response.status_code < 500 or response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert {"type", "title", "status", "detail", "code"} <= set(problem)
    assert problem["status"] == response.status_code
