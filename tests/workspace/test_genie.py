"""Genie spaces through the official SDK: sample questions answered with their SQL, as the asker."""

from __future__ import annotations

import json

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound

from appkit_testing.workspace import EmulatedWorkspace
from tests.workspace.conftest import ClientFor, run_sql

QUESTION = "Which customers are gold tier?"
SQL = "SELECT name FROM main.crm.customers WHERE tier = 'gold' ORDER BY name"


def _space(fake_workspace: EmulatedWorkspace, client: WorkspaceClient) -> str:
    fake_workspace.sql("CREATE CATALOG IF NOT EXISTS main")
    fake_workspace.sql("CREATE SCHEMA IF NOT EXISTS main.crm")
    fake_workspace.sql("CREATE TABLE main.crm.customers (name STRING, tier STRING)")
    fake_workspace.sql(
        "INSERT INTO main.crm.customers VALUES ('Acme', 'gold'), ('Globex', 'silver'), "
        "('Initech', 'gold')"
    )
    definition = {"instructions": {"example_question_sqls": [{"question": [QUESTION],
                                                              "sql": [SQL]}]}}  # fmt: skip
    space = client.genie.create_space(
        fake_workspace.warehouse_id, json.dumps(definition), title="Customers"
    )
    return str(space.space_id)


def test_a_sample_question_is_answered_with_its_sql_run_as_the_user(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient, client_for: ClientFor
):
    space_id = _space(fake_workspace, workspace_client)
    assert [s.title for s in workspace_client.genie.list_spaces().spaces] == ["Customers"]
    ann = client_for("ann@example.com")
    for grant in ("GRANT USE CATALOG ON CATALOG main TO `ann@example.com`",
                  "GRANT USE SCHEMA ON SCHEMA main.crm TO `ann@example.com`",
                  "GRANT SELECT ON TABLE main.crm.customers TO `ann@example.com`"):  # fmt: skip
        run_sql(workspace_client, fake_workspace.warehouse_id, grant)
    started = ann.genie.start_conversation(space_id, "which customers are  GOLD tier")
    assert started.response.message.status.value == "SUBMITTED"
    message = started.result()
    assert message.status.value == "COMPLETED"
    (attachment,) = message.attachments
    assert attachment.query.query == SQL
    result = ann.genie.get_message_attachment_query_result(
        space_id, message.conversation_id, message.message_id, attachment.attachment_id
    ).statement_response
    assert result.result.data_array == [["Acme"], ["Initech"]]

    follow_up = ann.genie.create_message_and_wait(space_id, message.conversation_id, "and why?")
    assert follow_up.status.value == "COMPLETED"
    assert follow_up.attachments[0].query is None
    assert "could not answer" in follow_up.attachments[0].text.content


def test_without_select_the_answer_fails_and_other_users_conversations_are_hidden(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient, client_for: ClientFor
):
    space_id = _space(fake_workspace, workspace_client)
    bob = client_for("bob@example.com")
    started = bob.genie.start_conversation(space_id, QUESTION).response
    message = bob.genie.get_message(space_id, started.conversation_id, started.message_id)
    assert message.status.value == "FAILED"
    assert message.error is not None
    with pytest.raises(NotFound):
        workspace_client.genie.get_message(space_id, message.conversation_id, message.message_id)
    with pytest.raises(NotFound):
        bob.genie.start_conversation("0" * 32, QUESTION)
