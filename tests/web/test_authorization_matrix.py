"""Every route, for every demo user and for no user: who may, who may not.

Each cell runs on a fresh demo world. A test also checks that the matrix
names every route the app serves, so a new route cannot ship unexamined.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from appkit_testing.memory_app import memory_container
from appkit_web.app import create_app
from tests.web.conftest import ALICE, AUDITOR, BOB, CAROL, DAVE, Api, make_settings

EVERYONE = {ALICE, BOB, CAROL, DAVE, AUDITOR}
Setup = Callable[[Api], Awaitable[dict[str, str]]]


async def nothing(api: Api) -> dict[str, str]:
    return {"full_name": "demo.crm.customers"}


async def pending_override(api: Api) -> dict[str, str]:
    body = (
        await api.post(
            "/api/overrides",
            ALICE,
            json={
                "entity": "ACME",
                "metric": "pd",
                "period": "2026-Q3",
                "value": "0.0211",
                "justification": "j",
            },
        )
    ).json()
    return {"approval_id": body["approval_id"], "override_id": body["id"]}


async def approved_change(api: Api) -> dict[str, str]:
    change = (
        await api.post(
            "/api/writeback/changes",
            ALICE,
            json={
                "table": "demo.crm.customers",
                "key": {"customer_id": 1},
                "set": {"tier": "platinum"},
                "reason": "r",
            },
        )
    ).json()
    await api.post(f"/api/approvals/{change['approval_id']}/approve", BOB, json={})
    return {"approval_id": change["approval_id"], "change_id": change["id"]}


async def open_exception(api: Api) -> dict[str, str]:
    body = (await api.post("/api/exceptions/ingest", ALICE, json={})).json()
    return {"exception_id": body["results"][0]["exception"]["id"]}


async def acknowledged_exception(api: Api) -> dict[str, str]:
    ids = await open_exception(api)
    await api.post(f"/api/exceptions/{ids['exception_id']}/acknowledge", ALICE)
    return ids


@dataclass(frozen=True)
class Cell:
    method: str
    path: str
    allowed: frozenset[str]
    setup: Setup = nothing
    body: dict | None = None
    params: dict | None = None
    anonymous_ok: bool = False
    allowed_status: int | None = None  # when the allowed answer is not 2xx (e.g. 503)


MATRIX = [
    Cell("GET", "/api/health", frozenset(EVERYONE), anonymous_ok=True),
    Cell("GET", "/api/ready", frozenset(EVERYONE), anonymous_ok=True),
    Cell("GET", "/api/me", frozenset(EVERYONE)),
    Cell("GET", "/api/approvals", frozenset(EVERYONE)),
    Cell("GET", "/api/approvals/{approval_id}", frozenset(EVERYONE), pending_override),
    Cell(
        "POST",
        "/api/approvals/{approval_id}/approve",
        frozenset({BOB, CAROL}),
        pending_override,
        body={"comment": "c"},
    ),
    Cell(
        "POST",
        "/api/approvals/{approval_id}/reject",
        frozenset({BOB, CAROL}),
        pending_override,
        body={"comment": "c"},
    ),
    Cell("POST", "/api/approvals/{approval_id}/withdraw", frozenset({ALICE}), pending_override),
    Cell(
        "POST",
        "/api/approvals/{approval_id}/apply",
        frozenset({ALICE, BOB, CAROL}),
        approved_change,
    ),
    Cell(
        "POST",
        "/api/overrides",
        frozenset({ALICE}),
        body={
            "entity": "ACME",
            "metric": "lgd",
            "period": "2026-Q3",
            "value": "0.46",
            "justification": "j",
        },
    ),
    Cell(
        "GET",
        "/api/overrides/effective",
        frozenset(EVERYONE),
        params={"entity": "ACME", "metric": "pd", "period": "2026-Q3"},
    ),
    Cell("GET", "/api/overrides/{override_id}", frozenset(EVERYONE), pending_override),
    Cell("GET", "/api/exceptions", frozenset(EVERYONE)),
    Cell(
        "POST",
        "/api/exceptions",
        frozenset({ALICE}),
        body={
            "check": "c",
            "table": "demo.crm.customers",
            "rule": "r",
            "severity": "LOW",
            "failing_key": "k",
        },
    ),
    Cell("POST", "/api/exceptions/ingest", frozenset({ALICE}), body={}),
    Cell("GET", "/api/exceptions/{exception_id}", frozenset(EVERYONE), open_exception),
    Cell("POST", "/api/exceptions/{exception_id}/acknowledge", frozenset({ALICE}), open_exception),
    Cell(
        "POST",
        "/api/exceptions/{exception_id}/resolve",
        frozenset({ALICE}),
        acknowledged_exception,
        body={"resolution": "fixed"},
    ),
    Cell(
        "POST",
        "/api/exceptions/{exception_id}/waive",
        frozenset({ALICE}),
        acknowledged_exception,
        body={"justification": "j", "until": "2099-01-01T00:00:00Z"},
    ),
    Cell(
        "POST",
        "/api/writeback/changes",
        frozenset({ALICE}),
        body={
            "table": "demo.crm.customers",
            "key": {"customer_id": 4},
            "set": {"tier": "gold"},
            "reason": "r",
        },
    ),
    Cell("GET", "/api/writeback/changes", frozenset(EVERYONE)),
    Cell("GET", "/api/writeback/changes/{change_id}", frozenset(EVERYONE), approved_change),
    Cell("GET", "/api/audit/events", frozenset({AUDITOR})),
    Cell("GET", "/api/audit/verify", frozenset({AUDITOR})),
    Cell(
        "POST",
        "/api/sql/query",
        frozenset(EVERYONE),
        body={"statement": "SELECT 1"},
        allowed_status=503,
    ),  # the memory backend has no warehouse
]

USERS = [ALICE, BOB, CAROL, DAVE, AUDITOR, None]


def _id(cell: Cell) -> str:
    return f"{cell.method} {cell.path}"


@pytest.mark.parametrize("user", USERS, ids=lambda u: (u or "anonymous").split("@")[0])
@pytest.mark.parametrize("cell", MATRIX, ids=_id)
async def test_route_answers_each_demo_user_as_the_policy_says(
    api: Api, cell: Cell, user: str | None
):
    if True:
        ids = await cell.setup(api)
        path = cell.path.format(**ids)
        kwargs: dict = {}
        if cell.body is not None:
            kwargs["json"] = cell.body
        if cell.params is not None:
            kwargs["params"] = cell.params
        response = await api.call(cell.method, path, user, **kwargs)
        if user is None:
            expected = {200} if cell.anonymous_ok else {401}
            assert response.status_code in expected, response.text
        elif user in cell.allowed:
            if cell.allowed_status is not None:
                assert response.status_code == cell.allowed_status, response.text
            else:
                assert 200 <= response.status_code < 300, response.text
        else:
            assert response.status_code == 403, response.text
            assert response.headers["content-type"] == "application/problem+json"


def test_the_matrix_names_every_api_route(tmp_path: Path):
    app = create_app(memory_container(make_settings(tmp_path)))
    served = {
        (method, route.path)
        for route in app.routes
        if isinstance(route, APIRoute) and route.path.startswith("/api")
        for method in route.methods
    }
    examined = {(cell.method, cell.path) for cell in MATRIX}
    assert served <= examined, sorted(served - examined)
