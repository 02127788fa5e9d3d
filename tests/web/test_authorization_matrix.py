"""Every route, for every demo user and for no user: who may, who may not.

Each governance cell runs on a fresh demo world (memory backend). Platform
routes (jobs, secrets, ...) run on the databricks backend against the
emulated workspace, one world per module; each cell makes its own objects.
A test also checks that the matrices name every route the app serves, so a
new route cannot ship unexamined.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.service.jobs import NotebookTask, Task
from databricks.sdk.service.vectorsearch import (
    DirectAccessVectorIndexSpec,
    EmbeddingVectorColumn,
    EndpointType,
    VectorIndexType,
)

from appkit_testing.memory_app import memory_container
from appkit_web.app import create_app
from tests.platform_world import PlatformApi, World
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


async def applied_change(api: Api) -> dict[str, str]:
    ids = await approved_change(api)
    await api.post(f"/api/approvals/{ids['approval_id']}/apply", BOB)
    return ids


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
    Cell(  # rows are evidence: only those who may read the table see them
        "GET",
        "/api/writeback/changes/{change_id}/evidence",
        frozenset(EVERYONE - {DAVE}),
        applied_change,
    ),
    Cell("GET", "/api/audit/events", frozenset({AUDITOR})),
    Cell("GET", "/api/audit/verify", frozenset({AUDITOR})),
    Cell(
        "POST",
        "/api/sql/query",
        frozenset(EVERYONE),
        body={"statement": "SELECT 1"},
        allowed_status=503,
    ),  # the memory backend has no warehouse
    Cell(
        "POST",
        "/api/uc/search",
        frozenset(EVERYONE),
        body={"query": "customer"},
        allowed_status=503,
    ),
    *(
        Cell("GET", f"/api/uc/{path}", frozenset(EVERYONE), params=params, allowed_status=503)
        for path, params in (
            ("catalogs", None),
            ("schemas", {"catalog": "demo"}),
            ("tables", {"catalog": "demo", "schema": "crm"}),
            ("tables/{full_name}", None),
            ("volumes", {"catalog": "demo", "schema": "crm"}),
            ("functions", {"catalog": "demo", "schema": "crm"}),
        )
    ),  # the memory backend has no Unity Catalog
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
    # Included routers are not flattened into app.routes on every FastAPI
    # version; the OpenAPI document lists every route that serves a request.
    served = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api")
        for method in operations
    }
    examined = {(cell.method, cell.path) for cell in (*MATRIX, *PLATFORM_MATRIX)}
    assert len(served) > 30
    assert served <= examined, sorted(served - examined)


# --- platform routes, on the databricks backend against the emulated workspace -----------

_names = itertools.count(1)
PlatformSetup = Callable[..., dict[str, str]]
"""``(world) -> ids`` or, with ``per_user``, ``(world, user) -> ids``."""


def fresh(world: World) -> dict[str, str]:
    return {"new_scope": f"scope-{next(_names)}"}


def a_scope(world: World) -> dict[str, str]:
    scope = f"scope-{next(_names)}"
    world.admin.secrets.create_scope(scope)
    world.admin.secrets.put_secret(scope, "key-1", string_value="a-secret-value")
    return {"scope": scope, "key": "key-1"}


def a_job(world: World) -> dict[str, str]:
    task = Task(task_key="t", notebook_task=NotebookTask(notebook_path="/matrix"))
    return {"job_id": str(world.admin.jobs.create(name="matrix", tasks=[task]).job_id)}


def a_run(world: World) -> dict[str, str]:
    ids = a_job(world)
    ids["run_id"] = str(world.admin.jobs.run_now(int(ids["job_id"])).run_id)
    return ids


def echo_chat(world: World) -> dict[str, str]:
    return {"endpoint": "databricks-echo-chat"}


def embeddings(world: World) -> dict[str, str]:
    return {"endpoint": "databricks-hash-embeddings"}


def an_index(world: World) -> dict[str, str]:
    admin = world.admin
    if "matrix" not in {e.name for e in admin.vector_search_endpoints.list_endpoints()}:
        admin.vector_search_endpoints.create_endpoint("matrix", endpoint_type=EndpointType.STANDARD)
        spec = DirectAccessVectorIndexSpec(
            embedding_vector_columns=[EmbeddingVectorColumn(name="v", embedding_dimension=2)]
        )
        admin.vector_search_indexes.create_index(
            "demo.docs.matrix", "matrix", "id", VectorIndexType.DIRECT_ACCESS,
            direct_access_index_spec=spec,
        )  # fmt: skip
        admin.vector_search_indexes.upsert_data_vector_index(
            "demo.docs.matrix", json.dumps([{"id": 1, "v": [1.0, 0.0]}])
        )
    return {"endpoint": "matrix", "index": "demo.docs.matrix"}


def a_space(world: World) -> dict[str, str]:
    pairs = [{"question": "one?", "sql": "SELECT 1 AS one"}]
    definition = {"instructions": {"example_question_sqls": pairs}}
    space = world.admin.genie.create_space(world.emulator.warehouse_id, json.dumps(definition))
    return {"space_id": str(space.space_id)}


def a_message(world: World, user: str | None) -> dict[str, str]:
    ids = a_space(world)
    asker = WorkspaceClient(
        host=world.emulator.host, token=world.tokens[user or ALICE], auth_type="pat"
    )
    started = asker.genie.start_conversation(ids["space_id"], "one?").response
    message = asker.genie.get_message(ids["space_id"], started.conversation_id, started.message_id)
    return {
        **ids,
        "conversation_id": str(started.conversation_id),
        "message_id": str(started.message_id),
        "attachment_id": str(message.attachments[0].attachment_id),
    }


def a_readable_table(world: World) -> dict[str, str]:
    """demo.crm.customers, readable by every demo user (the app writes it)."""
    from tests.workspace.conftest import run_sql

    for who in ("data-stewards", "risk-approvers", "auditors", DAVE):
        for grant in (
            "GRANT USE CATALOG ON CATALOG demo TO `{who}`",
            "GRANT USE SCHEMA ON SCHEMA demo.crm TO `{who}`",
            "GRANT SELECT ON TABLE demo.crm.customers TO `{who}`",
        ):
            run_sql(world.admin, world.emulator.warehouse_id, grant.format(who=who))
    return {"full_name": "demo.crm.customers"}


def a_connection(world: World) -> dict[str, str]:
    from databricks.sdk.service.catalog import ConnectionType

    name = f"conn_{next(_names)}"
    world.admin.connections.create(
        name=name, connection_type=ConnectionType.MYSQL, options={"host": "h", "port": "3306"}
    )
    return {"name": name, "new_connection": f"conn_{next(_names)}"}


def a_notebook(world: World) -> dict[str, str]:
    import base64

    from databricks.sdk.service.workspace import ImportFormat, Language

    path = f"/Shared/matrix-{next(_names)}"
    world.admin.workspace.import_(
        path, content=base64.b64encode(b"SELECT 1").decode(), format=ImportFormat.SOURCE,
        language=Language.SQL,
    )  # fmt: skip
    return {"path": path}


def a_dashboard(world: World) -> dict[str, str]:
    from databricks.sdk.service.dashboards import Dashboard

    created = world.admin.lakeview.create(
        dashboard=Dashboard(
            display_name=f"matrix-{next(_names)}",
            serialized_dashboard="{}",
            warehouse_id=world.emulator.warehouse_id,
        )
    )
    return {"dashboard_id": str(created.dashboard_id)}


def a_published_dashboard(world: World) -> dict[str, str]:
    ids = a_dashboard(world)
    world.admin.lakeview.publish(ids["dashboard_id"], warehouse_id=world.emulator.warehouse_id)
    return ids


def an_experiment(world: World) -> dict[str, str]:
    created = world.admin.experiments.create_experiment(f"/Shared/matrix-{next(_names)}")
    return {"experiment_id": str(created.experiment_id)}


STEWARDS, READERS = frozenset({ALICE}), frozenset({ALICE, BOB, CAROL})
DELTA = "/api/delta/tables/{full_name}"
GENIE_MESSAGE = "/api/genie/spaces/{space_id}/conversations/{conversation_id}/messages/{message_id}"


@dataclass(frozen=True)
class PlatformCell:
    method: str
    path: str
    allowed: frozenset[str]
    setup: PlatformSetup = fresh
    body: dict | None = None
    params: dict | None = None
    per_user: bool = False  # the setup makes objects that belong to the calling user


PLATFORM_MATRIX = [
    PlatformCell("GET", "/api/secrets/scopes", READERS),
    PlatformCell("POST", "/api/secrets/scopes", STEWARDS, body={"scope": "{new_scope}"}),
    PlatformCell("DELETE", "/api/secrets/scopes/{scope}", STEWARDS, a_scope),
    PlatformCell("GET", "/api/secrets/{scope}", READERS, a_scope),
    PlatformCell("PUT", "/api/secrets/{scope}/{key}", STEWARDS, a_scope, body={"value": "v2"}),
    PlatformCell("DELETE", "/api/secrets/{scope}/{key}", STEWARDS, a_scope),
    PlatformCell("GET", "/api/jobs", frozenset(EVERYONE)),
    PlatformCell("GET", "/api/jobs/{job_id}", frozenset(EVERYONE), a_job),
    PlatformCell("POST", "/api/jobs/{job_id}/run", STEWARDS, a_job, body={"parameters": {}}),
    PlatformCell("GET", "/api/jobs/runs/{run_id}", frozenset(EVERYONE), a_run),
    PlatformCell("POST", "/api/jobs/runs/{run_id}/cancel", STEWARDS, a_run),
    PlatformCell("GET", "/api/model/endpoints", frozenset(EVERYONE)),
    PlatformCell("GET", "/api/model/endpoints/{endpoint}", frozenset(EVERYONE), echo_chat),
    PlatformCell(
        "POST",
        "/api/model/{endpoint}/predict",
        frozenset(EVERYONE),
        embeddings,
        body={"input": ["month end"]},
    ),
    PlatformCell(
        "POST",
        "/api/model/{endpoint}/chat",
        frozenset(EVERYONE),
        echo_chat,
        body={"messages": [{"role": "user", "content": "hi"}]},
    ),
    PlatformCell("GET", "/api/vector/endpoints", frozenset(EVERYONE), an_index),
    PlatformCell(
        "GET",
        "/api/vector/indexes",
        frozenset(EVERYONE),
        an_index,
        params={"endpoint": "{endpoint}"},
    ),
    PlatformCell(
        "POST",
        "/api/vector/search",
        frozenset(EVERYONE),
        an_index,
        body={"index": "{index}", "columns": ["id"], "query_vector": [1.0, 0.0]},
    ),
    PlatformCell(
        "POST",
        "/api/genie/spaces/{space_id}/ask",
        frozenset(EVERYONE),
        a_space,
        body={"question": "one?"},
    ),
    PlatformCell("GET", GENIE_MESSAGE, frozenset(EVERYONE), a_message, per_user=True),
    PlatformCell("GET", DELTA + "/history", frozenset(EVERYONE), a_readable_table),
    PlatformCell("GET", DELTA + "/detail", frozenset(EVERYONE), a_readable_table),
    PlatformCell(
        "GET", DELTA + "/rows", frozenset(EVERYONE), a_readable_table, params={"version": "0"}
    ),
    PlatformCell("POST", DELTA + "/optimize", STEWARDS, a_readable_table, body={}),
    PlatformCell("POST", DELTA + "/vacuum", STEWARDS, a_readable_table, body={"dry_run": True}),
    PlatformCell("POST", DELTA + "/restore", STEWARDS, a_readable_table, body={"version": 0}),
    PlatformCell("GET", "/api/connections", frozenset(EVERYONE)),
    PlatformCell("GET", "/api/connections/{name}", frozenset(EVERYONE), a_connection),
    PlatformCell(
        "POST",
        "/api/connections",
        STEWARDS,
        a_connection,
        body={"name": "{new_connection}", "connection_type": "MYSQL", "options": {"host": "h"}},
    ),
    PlatformCell("DELETE", "/api/connections/{name}", STEWARDS, a_connection),
    PlatformCell("GET", "/api/notebooks", frozenset(EVERYONE), params={"path": "/"}),
    PlatformCell(
        "GET", "/api/notebooks/export", frozenset(EVERYONE), a_notebook, params={"path": "{path}"}
    ),
    PlatformCell("GET", "/api/dashboards", frozenset(EVERYONE)),
    PlatformCell("GET", "/api/dashboards/{dashboard_id}", frozenset(EVERYONE), a_dashboard),
    PlatformCell(
        "POST",
        "/api/dashboards",
        STEWARDS,
        body={"display_name": "made", "serialized_dashboard": "{{}}"},
    ),
    PlatformCell("POST", "/api/dashboards/{dashboard_id}/publish", STEWARDS, a_dashboard, body={}),
    PlatformCell(
        "GET",
        "/api/dashboards/{dashboard_id}/published",
        frozenset(EVERYONE),
        a_published_dashboard,
    ),
    PlatformCell("GET", "/api/mlflow/experiments", frozenset(EVERYONE)),
    PlatformCell(
        "POST",
        "/api/mlflow/runs/search",
        frozenset(EVERYONE),
        an_experiment,
        body={"experiment_ids": ["{experiment_id}"]},
    ),
    PlatformCell(
        "GET",
        GENIE_MESSAGE + "/attachments/{attachment_id}/query-result",
        frozenset(EVERYONE),
        a_message,
        per_user=True,
    ),
]


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("user", USERS, ids=lambda u: (u or "anonymous").split("@")[0])
@pytest.mark.parametrize("cell", PLATFORM_MATRIX, ids=lambda c: f"{c.method} {c.path}")
async def test_platform_route_answers_each_demo_user_as_the_policy_says(
    platform_api: PlatformApi, world: World, cell: PlatformCell, user: str | None
):
    ids = cell.setup(world, user) if cell.per_user else cell.setup(world)
    kwargs: dict = {}
    if cell.body is not None:
        kwargs["json"] = _fill(cell.body, ids)
    if cell.params is not None:
        kwargs["params"] = _fill(cell.params, ids)
    response = await platform_api.call(cell.method, cell.path.format(**ids), user, **kwargs)
    if user is None:
        assert response.status_code == 401, response.text
    elif user in cell.allowed:
        assert 200 <= response.status_code < 300, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"
