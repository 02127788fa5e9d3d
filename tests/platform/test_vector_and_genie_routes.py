"""``/api/vector`` and ``/api/genie`` on the databricks backend: as the user, scoped, audited."""

from __future__ import annotations

import json

import pytest
from databricks.sdk.service.vectorsearch import (
    DirectAccessVectorIndexSpec,
    EmbeddingVectorColumn,
    EndpointType,
    VectorIndexType,
)
from dependency_injector import providers

from appkit_web.platform.vector_scope import VectorScope
from tests.platform_world import PlatformApi, World
from tests.web.conftest import ALICE, BOB, DAVE

pytestmark = pytest.mark.asyncio(loop_scope="module")
INDEX = "demo.docs.notes_index"
QUESTION = "How many gold customers are there?"


@pytest.fixture(scope="module")
def notes(world: World, platform_container) -> str:  # type: ignore[no-untyped-def]
    admin = world.admin
    admin.vector_search_endpoints.create_endpoint("notes", endpoint_type=EndpointType.STANDARD)
    spec = DirectAccessVectorIndexSpec(
        embedding_vector_columns=[EmbeddingVectorColumn(name="v", embedding_dimension=2)]
    )
    admin.vector_search_indexes.create_index(
        INDEX, "notes", "id", VectorIndexType.DIRECT_ACCESS, direct_access_index_spec=spec
    )
    rows = [
        {"id": 1, "visible_to": ALICE, "text": "alice's own note", "v": [1.0, 0.0]},
        {"id": 2, "visible_to": "risk-approvers", "text": "approvers' note", "v": [0.9, 0.1]},
        {"id": 3, "visible_to": "data-stewards", "text": "stewards' note", "v": [0.0, 1.0]},
    ]
    admin.vector_search_indexes.upsert_data_vector_index(INDEX, json.dumps(rows))
    platform_container.vector_scope.override(providers.Object(VectorScope({INDEX: "visible_to"})))
    return INDEX


async def test_endpoints_and_indexes_are_listed(platform_api: PlatformApi, notes: str):
    endpoints = (await platform_api.get("/api/vector/endpoints", DAVE)).json()["items"]
    assert "notes" in {e["name"] for e in endpoints}
    indexes = await platform_api.get("/api/vector/indexes", DAVE, params={"endpoint": "notes"})
    assert [i["name"] for i in indexes.json()["items"]] == [notes]
    missing = await platform_api.get("/api/vector/indexes", DAVE, params={"endpoint": "absent"})
    assert missing.status_code == 404


async def test_search_is_scoped_to_the_callers_identity(platform_api: PlatformApi, notes: str):
    body = {"index": notes, "columns": ["id", "text"], "query_vector": [1.0, 0.0]}
    alice = (await platform_api.post("/api/vector/search", ALICE, json=body)).json()["items"]
    assert [r["id"] for r in alice] == [1, 3]  # her own and her group's, nearest first
    assert alice[0]["score"] == 1.0
    bob = (await platform_api.post("/api/vector/search", BOB, json=body)).json()["items"]
    assert [r["id"] for r in bob] == [2]
    dave = (await platform_api.post("/api/vector/search", DAVE, json=body)).json()["items"]
    assert dave == []
    escape = {**body, "filters": {"visible_to": "risk-approvers"}}
    refused = await platform_api.post("/api/vector/search", DAVE, json=escape)
    assert refused.status_code == 403
    events = await platform_api.audit("vector.search")
    assert events[-1]["details"]["scoped"] is True
    assert "1.0" not in json.dumps([e["details"] for e in events])


async def test_search_input_is_checked(platform_api: PlatformApi, notes: str):
    both = {"index": notes, "columns": ["id"], "query_vector": [1.0, 0.0], "query_text": "x"}
    assert (await platform_api.post("/api/vector/search", ALICE, json=both)).status_code == 422
    wrong = {"index": notes, "columns": ["id"], "query_vector": [1.0, 0.0, 0.0]}
    assert (await platform_api.post("/api/vector/search", ALICE, json=wrong)).status_code == 400
    bad_name = {"index": "no-dots", "columns": ["id"], "query_vector": [1.0]}
    assert (await platform_api.post("/api/vector/search", ALICE, json=bad_name)).status_code == 400


@pytest.fixture(scope="module")
def gold_space(world: World, platform_api: PlatformApi) -> str:
    sql = "SELECT count(*) AS gold FROM demo.crm.customers WHERE tier = 'gold'"
    definition = {"instructions": {"example_question_sqls": [{"question": QUESTION, "sql": sql}]}}
    space = world.admin.genie.create_space(world.emulator.warehouse_id, json.dumps(definition))
    from tests.workspace.conftest import run_sql

    for grant in ("GRANT USE CATALOG ON CATALOG demo TO `data-stewards`",
                  "GRANT USE SCHEMA ON SCHEMA demo.crm TO `data-stewards`",
                  "GRANT SELECT ON TABLE demo.crm.customers TO `data-stewards`"):  # fmt: skip
        run_sql(world.admin, world.emulator.warehouse_id, grant)
    return str(space.space_id)


async def test_genie_answers_with_sql_run_as_the_asking_user(
    platform_api: PlatformApi, gold_space: str
):
    asked = await platform_api.post(f"/api/genie/spaces/{gold_space}/ask", ALICE,
                                    json={"question": QUESTION})  # fmt: skip
    assert asked.status_code == 200, asked.text
    message = asked.json()
    assert message["status"] == "COMPLETED"
    (attachment,) = message["attachments"]
    path = (f"/api/genie/spaces/{gold_space}/conversations/{message['conversation_id']}"
            f"/messages/{message['message_id']}")  # fmt: skip
    again = await platform_api.get(path, ALICE)
    assert again.json()["status"] == "COMPLETED"
    rows = await platform_api.get(f"{path}/attachments/{attachment['attachment_id']}/query-result",
                                  ALICE)  # fmt: skip
    assert rows.json()["rows"][0]["gold"] >= 1

    dave = await platform_api.post(f"/api/genie/spaces/{gold_space}/ask", DAVE,
                                   json={"question": QUESTION})  # fmt: skip
    assert dave.json()["status"] == "FAILED"  # his own grants: no SELECT on the table
    elsewhere = await platform_api.get(path, DAVE)
    assert elsewhere.status_code == 404  # not his conversation

    other = await platform_api.post(f"/api/genie/spaces/{gold_space}/ask", ALICE,
                                    json={"question": "what is the meaning of life?"})  # fmt: skip
    assert "could not answer" in other.json()["attachments"][0]["text"]["content"]
    events = await platform_api.audit("genie.ask")
    assert QUESTION not in json.dumps(events)
    assert {e["details"]["executes_as"] for e in events} == {"user"}
