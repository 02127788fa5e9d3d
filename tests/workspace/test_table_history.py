"""Table versions through the emulated workspace, as the unmodified databricks-sdk sees them:
DESCRIBE HISTORY, time travel, RESTORE, VACUUM, DESCRIBE DETAIL, and ``tables.get`` agreeing
with the history."""

from __future__ import annotations

import json

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import DatabricksError

from appkit_testing.workspace import EmulatedWorkspace
from tests.workspace.conftest import ClientFor, run_sql


def _rows(client: WorkspaceClient, warehouse: str, statement: str) -> list[list[str | None]]:
    response = run_sql(client, warehouse, statement)
    assert response.status is not None and response.status.state is not None
    assert response.status.state.value == "SUCCEEDED", response.status.error
    return [list(row) for row in (response.result.data_array or [])] if response.result else []


def _failure(client: WorkspaceClient, warehouse: str, statement: str) -> str:
    response = run_sql(client, warehouse, statement)
    assert response.status is not None and response.status.state is not None
    assert response.status.state.value == "FAILED"
    assert response.status.error is not None
    return str(response.status.error.message)


@pytest.fixture
def versioned(fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient) -> str:
    warehouse = fake_workspace.warehouse_id
    for statement in (
        "CREATE TABLE main.default.tiers (id INT, tier STRING)",
        "INSERT INTO main.default.tiers VALUES (1, 'bronze'), (2, 'silver')",
        "UPDATE main.default.tiers SET tier = 'gold' WHERE id = 1",
    ):
        _rows(workspace_client, warehouse, statement)
    return warehouse


def test_history_and_time_travel_through_the_sdk(
    workspace_client: WorkspaceClient, versioned: str
) -> None:
    history = _rows(workspace_client, versioned, "DESCRIBE HISTORY main.default.tiers")
    assert [(row[0], row[4]) for row in history] == [
        ("2", "UPDATE"),
        ("1", "WRITE"),
        ("0", "CREATE TABLE"),
    ]
    assert history[0][3] == "admin@example.com"
    assert json.loads(str(history[0][12])) == {"numUpdatedRows": "1"}
    old = _rows(
        workspace_client,
        versioned,
        "SELECT id, tier FROM main.default.tiers VERSION AS OF 1 ORDER BY id",
    )
    assert old == [["1", "bronze"], ["2", "silver"]]
    assert _rows(
        workspace_client, versioned, "SELECT tier FROM main.default.tiers@v2 WHERE id = 1"
    ) == [["gold"]]


def test_tables_get_agrees_with_the_history(
    workspace_client: WorkspaceClient, versioned: str
) -> None:
    table = workspace_client.tables.get("main.default.tiers")
    history = _rows(workspace_client, versioned, "DESCRIBE HISTORY main.default.tiers LIMIT 1")
    detail = _rows(workspace_client, versioned, "DESCRIBE DETAIL main.default.tiers")[0]
    assert table.updated_by == history[0][3]
    assert table.updated_at is not None and table.created_at is not None
    assert table.updated_at > table.created_at
    assert table.table_id == detail[1]
    assert table.storage_location == detail[4]
    assert detail[0] == "delta" and detail[2] == "main.default.tiers"


def test_restore_and_vacuum_through_the_sdk(
    workspace_client: WorkspaceClient, versioned: str
) -> None:
    _rows(workspace_client, versioned, "RESTORE TABLE main.default.tiers TO VERSION AS OF 1")
    assert _rows(
        workspace_client, versioned, "SELECT tier FROM main.default.tiers ORDER BY id"
    ) == [
        ["bronze"],
        ["silver"],
    ]
    refused = _failure(workspace_client, versioned, "VACUUM main.default.tiers RETAIN 0 HOURS")
    assert "DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT" in refused
    _rows(
        workspace_client,
        versioned,
        "ALTER TABLE main.default.tiers SET TBLPROPERTIES"
        " ('delta.deletedFileRetentionDuration' = 'interval 0 hours')",
    )
    _rows(workspace_client, versioned, "VACUUM main.default.tiers RETAIN 0 HOURS")
    gone = _failure(workspace_client, versioned, "SELECT * FROM main.default.tiers VERSION AS OF 1")
    assert "DELTA_FILE_NOT_FOUND_DETAILED" in gone
    operations = [
        row[4] for row in _rows(workspace_client, versioned, "DESCRIBE HISTORY main.default.tiers")
    ]
    assert operations[:4] == ["VACUUM END", "VACUUM START", "SET TBLPROPERTIES", "RESTORE"]


def test_restore_needs_modify_and_history_needs_select(
    workspace_client: WorkspaceClient, client_for: ClientFor, versioned: str
) -> None:
    reader = client_for("reader@example.com")
    for grant in (
        "GRANT USE CATALOG ON CATALOG main TO `reader@example.com`",
        "GRANT USE SCHEMA ON SCHEMA main.default TO `reader@example.com`",
    ):
        _rows(workspace_client, versioned, grant)
    denied = _failure(reader, versioned, "DESCRIBE HISTORY main.default.tiers")
    assert "SELECT" in denied
    _rows(
        workspace_client,
        versioned,
        "GRANT SELECT ON TABLE main.default.tiers TO `reader@example.com`",
    )
    assert len(_rows(reader, versioned, "DESCRIBE HISTORY main.default.tiers")) == 3
    refused = _failure(reader, versioned, "RESTORE TABLE main.default.tiers TO VERSION AS OF 1")
    assert "MODIFY" in refused
    with pytest.raises(DatabricksError):
        reader.tables.get("main.default.nope")
