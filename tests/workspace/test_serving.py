"""Serving endpoints through the official SDK and the OpenAI client: built-in models, permissions."""

from __future__ import annotations

import json
import math

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import BadRequest, PermissionDenied, ResourceDoesNotExist
from databricks.sdk.service.serving import (
    ChatMessage,
    ChatMessageRole,
    EndpointCoreConfigInput,
    ServedEntityInput,
    ServingEndpointAccessControlRequest,
    ServingEndpointPermissionLevel,
)

from tests.workspace.conftest import ClientFor


def _linear(client: WorkspaceClient, name: str, coefficients: object, intercept: str = "0") -> None:
    entity = ServedEntityInput(
        entity_name="appkit.linear",
        environment_vars={"COEFFICIENTS": json.dumps(coefficients), "INTERCEPT": intercept},
    )
    config = EndpointCoreConfigInput(name=name, served_entities=[entity])
    client.serving_endpoints.create(name, config=config)


def test_foundation_endpoints_exist_and_echo_chat_answers_the_last_user_message(
    workspace_client: WorkspaceClient,
):
    names = {e.name: e.task for e in workspace_client.serving_endpoints.list()}
    assert names == {"databricks-echo-chat": "llm/v1/chat",
                     "databricks-hash-embeddings": "llm/v1/embeddings"}  # fmt: skip
    answer = workspace_client.serving_endpoints.query(
        "databricks-echo-chat",
        messages=[ChatMessage(role=ChatMessageRole.SYSTEM, content="be brief"),
                  ChatMessage(role=ChatMessageRole.USER, content="close the month end books")],
        max_tokens=3,
    )  # fmt: skip
    assert answer.choices[0].message.content == "close the month"
    assert answer.usage.completion_tokens == 3


def test_a_linear_endpoint_reads_its_coefficients_from_its_config(
    workspace_client: WorkspaceClient,
):
    _linear(workspace_client, "price", [2.0, -1.0], intercept="0.5")
    assert workspace_client.serving_endpoints.get("price").state.ready.value == "READY"
    rows = workspace_client.serving_endpoints.query("price", inputs=[[1, 1], [3, 0]])
    assert rows.predictions == [1.5, 6.5]
    _linear(workspace_client, "keyed", {"qty": 3.0, "px": 1.0})
    keyed = workspace_client.serving_endpoints.query(
        "keyed", dataframe_records=[{"qty": 2, "px": 10}]
    )
    assert keyed.predictions == [16.0]
    with pytest.raises(BadRequest):
        workspace_client.serving_endpoints.query("price", inputs=[[1, 2, 3]])
    with pytest.raises(ResourceDoesNotExist):
        workspace_client.serving_endpoints.query("missing", inputs=[[1]])


def test_hashing_embeddings_are_unit_vectors_and_shared_words_point_the_same_way(
    workspace_client: WorkspaceClient,
):
    texts = ["month end close", "close the month end", "quarterly tax filing"]
    answer = workspace_client.serving_endpoints.query("databricks-hash-embeddings", input=texts)
    vectors = [item.embedding for item in answer.data]
    assert all(len(v) == 16 and math.isclose(sum(x * x for x in v), 1.0, abs_tol=1e-5)
               for v in vectors)  # fmt: skip
    dot = [sum(a * b for a, b in zip(vectors[0], v)) for v in vectors]
    assert dot[1] > dot[2]


def test_the_openai_client_chats_streams_and_embeds_against_the_workspace(
    workspace_client: WorkspaceClient,
):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        openai = workspace_client.serving_endpoints.get_open_ai_client()
    reply = openai.chat.completions.create(
        model="databricks-echo-chat", messages=[{"role": "user", "content": "hello there"}]
    )
    assert reply.choices[0].message.content == "hello there"
    cut = openai.chat.completions.create(
        model="databricks-echo-chat", messages=[{"role": "user", "content": "a b c"}], max_tokens=1
    )
    assert (cut.choices[0].message.content, cut.choices[0].finish_reason) == ("a", "length")
    stream = openai.chat.completions.create(
        model="databricks-echo-chat",
        messages=[{"role": "user", "content": "one two three"}],
        stream=True,
    )
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == "one two three"
    vectors = openai.embeddings.create(model="databricks-hash-embeddings", input=["a b"])
    assert len(vectors.data[0].embedding) == 16


def test_endpoint_permissions_decide_who_sees_and_who_queries(
    workspace_client: WorkspaceClient, client_for: ClientFor
):
    _linear(workspace_client, "private", [1.0])
    bob = client_for("bob@example.com")
    assert "private" not in {e.name for e in bob.serving_endpoints.list()}
    with pytest.raises(PermissionDenied):
        bob.serving_endpoints.query("private", inputs=[[1]])
    endpoint_id = workspace_client.serving_endpoints.get("private").id
    workspace_client.serving_endpoints.update_permissions(
        endpoint_id,
        access_control_list=[ServingEndpointAccessControlRequest(
            user_name="bob@example.com", permission_level=ServingEndpointPermissionLevel.CAN_VIEW
        )],
    )  # fmt: skip
    assert bob.serving_endpoints.get("private").permission_level.value == "CAN_VIEW"
    with pytest.raises(PermissionDenied):
        bob.serving_endpoints.query("private", inputs=[[1]])
    workspace_client.serving_endpoints.update_permissions(
        endpoint_id,
        access_control_list=[ServingEndpointAccessControlRequest(
            user_name="bob@example.com", permission_level=ServingEndpointPermissionLevel.CAN_QUERY
        )],
    )  # fmt: skip
    assert bob.serving_endpoints.query("private", inputs=[[4]]).predictions == [4.0]
    with pytest.raises(PermissionDenied):
        bob.serving_endpoints.delete("private")
