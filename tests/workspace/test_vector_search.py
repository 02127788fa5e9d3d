"""Vector search through the official SDK and the official ``databricks-vectorsearch`` client.

Direct Access rows come from upserts; Delta Sync rows from a local-engine table,
embedded by the workspace's hashing-embeddings endpoint. Search is real: L2
similarity ``1 / (1 + d^2)`` (or cosine), best first, with filters.
"""

from __future__ import annotations

import json
import warnings

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import BadRequest, NotFound
from databricks.sdk.service.vectorsearch import (
    DeltaSyncVectorIndexSpecRequest,
    DirectAccessVectorIndexSpec,
    EmbeddingVectorColumn,
    EndpointType,
    VectorIndexType,
)

from appkit_testing.workspace import EmulatedWorkspace

ROWS = [
    {"id": 1, "team": "risk", "title": "month end close", "vec": [1.0, 0.0, 0.0]},
    {"id": 2, "team": "risk", "title": "var limits", "vec": [0.9, 0.1, 0.0]},
    {"id": 3, "team": "ops", "title": "payroll run", "vec": [0.0, 1.0, 0.0]},
    {"id": 4, "team": "ops", "title": "month end payroll", "vec": [0.0, 0.0, 1.0]},
]


def _direct_index(client: WorkspaceClient, name: str = "main.docs.notes") -> str:
    client.vector_search_endpoints.create_endpoint("docs", endpoint_type=EndpointType.STANDARD)
    client.vector_search_indexes.create_index(
        name, "docs", "id", VectorIndexType.DIRECT_ACCESS,
        direct_access_index_spec=DirectAccessVectorIndexSpec(
            embedding_vector_columns=[EmbeddingVectorColumn(name="vec", embedding_dimension=3)]
        ),
    )  # fmt: skip
    client.vector_search_indexes.upsert_data_vector_index(name, json.dumps(ROWS))
    return name


def _ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(row[0]) for row in response.result.data_array]


def test_direct_access_search_ranks_by_distance_and_filters(workspace_client: WorkspaceClient):
    index = _direct_index(workspace_client)
    indexes = workspace_client.vector_search_indexes.list_indexes(endpoint_name="docs")
    assert [i.name for i in indexes] == [index]
    query = workspace_client.vector_search_indexes.query_index
    best = query(index, columns=["id", "title"], query_vector=[1.0, 0.0, 0.0], num_results=3)
    assert _ids(best) == [1, 2, 3]  # 3 and 4 tie at distance 2; the primary key decides
    assert [c.name for c in best.manifest.columns] == ["id", "title", "score"]
    assert best.result.data_array[0][2] == 1.0  # distance 0
    risk = query(index, columns=["id"], query_vector=[0, 0, 1], filters_json='{"team": "risk"}')
    assert _ids(risk) == [2, 1]
    assert _ids(query(index, columns=["id"], query_vector=[0, 0, 1],
                      filters_json='{"id": [3, 4], "title LIKE": "payroll"}')) == [4, 3]  # fmt: skip
    assert _ids(query(index, columns=["id"], query_vector=[0, 1, 0],
                      filters_json='{"team NOT": "ops", "id >=": 2}')) == [2]  # fmt: skip
    with pytest.raises(BadRequest):
        query(index, columns=["id"], query_vector=[1.0, 0.0])
    with pytest.raises(BadRequest):
        query(index, columns=["id"], query_text="month end")  # no embedding model
    with pytest.raises(NotFound):
        query("main.docs.absent", columns=["id"], query_vector=[1.0, 0.0, 0.0])


def test_the_official_client_searches_a_delta_sync_index_over_an_engine_table(
    fake_workspace: EmulatedWorkspace,
):
    fake_workspace.sql("CREATE CATALOG IF NOT EXISTS main")
    fake_workspace.sql("CREATE SCHEMA IF NOT EXISTS main.docs")
    fake_workspace.sql("CREATE TABLE main.docs.policies (id BIGINT, owner STRING, body STRING)")
    fake_workspace.sql(
        "INSERT INTO main.docs.policies VALUES (1, 'alice', 'month end close checklist'), "
        "(2, 'bob', 'travel expense policy'), (3, 'alice', 'quarter end close calendar')"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the package announces its new name on import
        from databricks.vector_search.client import VectorSearchClient

        client = VectorSearchClient(workspace_url=fake_workspace.host,
                                    personal_access_token=fake_workspace.admin_token,
                                    disable_notice=True)  # fmt: skip
        client.create_endpoint("policies", endpoint_type="STANDARD")
        assert [e["name"] for e in client.list_endpoints()["endpoints"]] == ["policies"]
        index = client.create_delta_sync_index(
            endpoint_name="policies",
            index_name="main.docs.policies_index",
            source_table_name="main.docs.policies",
            primary_key="id",
            pipeline_type="TRIGGERED",
            embedding_source_column="body",
            embedding_model_endpoint_name="databricks-hash-embeddings",
        )
        found = index.similarity_search(query_text="month end close", columns=["id", "body"],
                                        num_results=2)  # fmt: skip
        rows = found["result"]["data_array"]
        assert [int(r[0]) for r in rows] == [1, 3]
        mine = index.similarity_search(query_text="travel", columns=["id"],
                                       filters={"owner": "alice"}, num_results=5)  # fmt: skip
        assert {int(r[0]) for r in mine["result"]["data_array"]} == {1, 3}

        fake_workspace.sql("INSERT INTO main.docs.policies VALUES (4, 'bob', 'travel booking')")
        assert index.describe()["status"]["indexed_row_count"] == 3
        index.sync()
        again = client.get_index(endpoint_name="policies", index_name="main.docs.policies_index")
        travel = again.similarity_search(query_text="travel booking", columns=["id"], num_results=1)
        assert int(travel["result"]["data_array"][0][0]) == 4


def test_sdk_creates_a_delta_sync_index_with_its_own_vector_column(
    fake_workspace: EmulatedWorkspace,
):
    fake_workspace.sql("CREATE CATALOG IF NOT EXISTS main")
    fake_workspace.sql("CREATE SCHEMA IF NOT EXISTS main.docs")
    fake_workspace.sql("CREATE TABLE main.docs.points (id BIGINT, v ARRAY<FLOAT>)")
    fake_workspace.sql(
        "INSERT INTO main.docs.points VALUES (1, array(0.0, 1.0)), (2, array(3.0, 4.0))"
    )
    client = fake_workspace.client()
    client.vector_search_endpoints.create_endpoint("pts", endpoint_type=EndpointType.STANDARD)
    client.vector_search_indexes.create_index(
        "main.docs.points_index", "pts", "id", VectorIndexType.DELTA_SYNC,
        delta_sync_index_spec=DeltaSyncVectorIndexSpecRequest(
            source_table="main.docs.points",
            embedding_vector_columns=[EmbeddingVectorColumn(name="v", embedding_dimension=2)],
        ),
    )  # fmt: skip
    near = client.vector_search_indexes.query_index(
        "main.docs.points_index", columns=["id"], query_vector=[3.0, 3.0]
    )
    assert _ids(near) == [2, 1]
    assert near.result.data_array[0][1] == pytest.approx(0.5)  # 1 / (1 + 1)
