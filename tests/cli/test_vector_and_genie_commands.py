"""``vector list-endpoints/list-indexes/query`` and ``genie list-spaces/ask`` against the emulator."""

from __future__ import annotations

import json

from databricks.sdk.service.vectorsearch import (
    DirectAccessVectorIndexSpec,
    EmbeddingVectorColumn,
    EndpointType,
    VectorIndexType,
)

ROWS = [{"id": 1, "team": "risk", "v": [1.0, 0.0]}, {"id": 2, "team": "ops", "v": [0.0, 1.0]},
        {"id": 3, "team": "risk", "v": [0.7, 0.7]}]  # fmt: skip


def _index(emulator) -> str:
    client = emulator.client()
    client.vector_search_endpoints.create_endpoint("cli", endpoint_type=EndpointType.STANDARD)
    spec = DirectAccessVectorIndexSpec(
        embedding_vector_columns=[EmbeddingVectorColumn(name="v", embedding_dimension=2)]
    )
    client.vector_search_indexes.create_index(
        "main.cli.idx", "cli", "id", VectorIndexType.DIRECT_ACCESS, direct_access_index_spec=spec
    )
    client.vector_search_indexes.upsert_data_vector_index("main.cli.idx", json.dumps(ROWS))
    return "main.cli.idx"


def test_vector_lists_and_queries_with_filters(ws_cli, emulator):
    index = _index(emulator)
    endpoints = json.loads(ws_cli("vector", "list-endpoints", "--json").stdout)
    assert [(e["name"], e["indexes"]) for e in endpoints] == [("cli", 1)]
    indexes = json.loads(ws_cli("vector", "list-indexes", "--endpoint", "cli", "--json").stdout)
    assert [i["name"] for i in indexes] == [index]
    found = ws_cli("vector", "query", index, "--vector", "[1, 0]", "--columns", "id,team",
                   "--filters", '{"team": "risk"}', "--num-results", "5", "--json")  # fmt: skip
    assert found.exit_code == 0, found.output
    assert [row["id"] for row in json.loads(found.stdout)] == [1, 3]


def test_vector_exit_codes(ws_cli, emulator):
    index = _index(emulator)
    assert ws_cli("vector", "query", index, "--columns", "id").exit_code == 2
    assert ws_cli("vector", "query", index, "--vector", "nope", "--columns", "id").exit_code == 2
    assert ws_cli("vector", "query", "main.cli.none", "--vector", "[1, 0]",
                  "--columns", "id").exit_code == 3  # fmt: skip
    assert ws_cli("vector", "list-indexes", "--endpoint", "none").exit_code == 3
    wrong = ws_cli("vector", "query", index, "--vector", "[1, 0, 0]", "--columns", "id")
    assert wrong.exit_code == 1


def _space(emulator) -> str:
    emulator.sql("CREATE CATALOG IF NOT EXISTS main")
    emulator.sql("CREATE SCHEMA IF NOT EXISTS main.cli")
    emulator.sql("CREATE TABLE main.cli.t AS SELECT 'gold' AS tier, 3 AS n")
    pairs = [{"question": "How many gold?", "sql": "SELECT n FROM main.cli.t WHERE tier = 'gold'"}]
    definition = {"instructions": {"example_question_sqls": pairs}}
    space = emulator.client().genie.create_space(emulator.warehouse_id, json.dumps(definition),
                                                 title="cli space")  # fmt: skip
    return str(space.space_id)


def test_genie_ask_prints_the_rows_of_the_answer(ws_cli, emulator):
    space_id = _space(emulator)
    spaces = json.loads(ws_cli("genie", "list-spaces", "--json").stdout)
    assert [s["title"] for s in spaces] == ["cli space"]
    answered = ws_cli("genie", "ask", space_id, "how many gold", "--json")
    assert answered.exit_code == 0, answered.output
    body = json.loads(answered.stdout)
    assert body["status"] == "COMPLETED" and body["query"]["rows"] == [{"n": "3"}]
    unanswered = ws_cli("genie", "ask", space_id, "something else")
    assert unanswered.exit_code == 1 and "could not answer" in unanswered.stdout
    assert ws_cli("genie", "ask", "f" * 32, "how many gold").exit_code == 3
