"""Bad input is a 4xx problem+json, never a 500: out-of-range instants, non-finite numbers."""

from __future__ import annotations

import pytest

from tests.web.conftest import ALICE, AUDITOR, Api

OVERRIDE = {
    "entity": "ACME",
    "metric": "var_99",
    "period": "2026-Q3",
    "value": "1300000",
    "justification": "late trade booked",
}
# Valid ISO 8601 instants whose UTC equivalent falls outside years 1..9999.
OUT_OF_RANGE = ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00"]
EXCEPTION = {
    "check": "customer_tier_not_null",
    "table": "demo.crm.customers",
    "rule": "tier IS NOT NULL",
    "severity": "HIGH",
    "failing_key": "customer_id=5",
}


def assert_problem(response, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert {"type", "title", "status", "detail", "code"} <= set(response.json())


@pytest.mark.parametrize("field", ["effective_from", "effective_to"])
@pytest.mark.parametrize("instant", OUT_OF_RANGE)
async def test_an_override_instant_out_of_range_in_utc_is_a_400(api: Api, field: str, instant):
    response = await api.post("/api/overrides", ALICE, json={**OVERRIDE, field: instant})
    assert_problem(response)


@pytest.mark.parametrize("instant", OUT_OF_RANGE)
async def test_an_exception_detected_at_out_of_range_in_utc_is_a_400(api: Api, instant: str):
    response = await api.post("/api/exceptions", ALICE, json={**EXCEPTION, "detected_at": instant})
    assert_problem(response)


@pytest.mark.parametrize("field", ["since", "until"])
@pytest.mark.parametrize("instant", OUT_OF_RANGE)
async def test_an_audit_query_instant_out_of_range_in_utc_is_a_400(api: Api, field, instant):
    response = await api.get("/api/audit/events", AUDITOR, params={field: instant})
    assert_problem(response)


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
async def test_a_non_finite_observed_value_is_refused(api: Api, number: bytes):
    body = (
        b'{"check": "c", "table": "demo.crm.customers", "rule": "r", "severity": "HIGH", '
        b'"failing_key": "k", "observed_value": ' + number + b"}"
    )
    response = await api.post(
        "/api/exceptions", ALICE, content=body, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"1e999"])
async def test_a_non_finite_sql_parameter_is_refused_before_the_warehouse(api: Api, number):
    body = b'{"statement": "SELECT :x AS x", "parameters": {"x": ' + number + b"}}"
    response = await api.post(
        "/api/sql/query", ALICE, content=body, headers={"content-type": "application/json"}
    )
    assert_problem(response)  # 400 here; the memory backend would answer 503 at the warehouse


@pytest.mark.parametrize("number", [b"NaN", b"-Infinity"])
async def test_a_non_finite_write_back_value_is_refused(api: Api, number: bytes):
    body = (
        b'{"table": "demo.crm.customers", "key": {"customer_id": 2}, '
        b'"set": {"tier": ' + number + b'}, "reason": "r"}'
    )
    response = await api.post(
        "/api/writeback/changes", ALICE, content=body, headers={"content-type": "application/json"}
    )
    assert_problem(response)
    assert "finite" in response.json()["detail"]


@pytest.mark.parametrize("instant", ["9999-12-31T23:59:59-23:59"])
async def test_a_waiver_end_out_of_range_in_utc_is_a_400(api: Api, instant: str):
    raised = await api.post("/api/exceptions", ALICE, json=EXCEPTION)
    exception_id = raised.json()["exception"]["id"]
    assert (await api.post(f"/api/exceptions/{exception_id}/acknowledge", ALICE)).status_code == 200
    response = await api.post(
        f"/api/exceptions/{exception_id}/waive",
        ALICE,
        json={"justification": "j", "until": instant},
    )
    assert_problem(response)
