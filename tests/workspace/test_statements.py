"""Statement Execution API 2.0 through the official SDK."""

from __future__ import annotations

import time

import pytest
import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import ResourceDoesNotExist
from databricks.sdk.service.sql import (
    Disposition,
    ExecuteStatementRequestOnWaitTimeout,
    Format,
    StatementParameterListItem,
    StatementState,
)

from appkit_testing.workspace import EmulatedWorkspace


def _poll(client: WorkspaceClient, statement_id: str, *, rounds: int = 200):  # type: ignore[no-untyped-def]
    for _ in range(rounds):
        response = client.statement_execution.get_statement(statement_id)
        if response.status.state not in (StatementState.PENDING, StatementState.RUNNING):
            return response
        time.sleep(0.02)
    raise AssertionError("statement did not finish")


def test_synchronous_statement_returns_manifest_and_first_chunk(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    response = workspace_client.statement_execution.execute_statement(
        "SELECT CAST(2 AS BIGINT) AS id, 'two' AS name, NULL AS nothing",
        fake_workspace.warehouse_id,
        wait_timeout="10s",
    )
    assert response.status.state == StatementState.SUCCEEDED
    manifest = response.manifest
    assert [c.name for c in manifest.schema.columns] == ["id", "name", "nothing"]
    assert manifest.schema.columns[0].type_name.value == "LONG"
    assert [c.position for c in manifest.schema.columns] == [0, 1, 2]
    assert manifest.total_row_count == 1 and manifest.total_chunk_count == 1
    assert manifest.truncated is False
    assert response.result.data_array == [["2", "two", None]]
    assert response.result.next_chunk_index is None


def test_async_submit_returns_pending_then_polling_reaches_succeeded(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    response = workspace_client.statement_execution.execute_statement(
        "SELECT 41 + 1 AS answer", fake_workspace.warehouse_id, wait_timeout="0s"
    )
    assert response.status.state == StatementState.PENDING
    assert response.manifest is None and response.result is None
    done = _poll(workspace_client, response.statement_id)
    assert done.status.state == StatementState.SUCCEEDED
    assert done.result.data_array == [["42"]]


def test_typed_parameters_bind_by_name(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    P = StatementParameterListItem
    response = workspace_client.statement_execution.execute_statement(
        "SELECT :n + 1 AS n, :price AS price, :day AS day, :flag AS flag, :label AS label, "
        ":missing AS missing, :at AS at",
        fake_workspace.warehouse_id,
        wait_timeout="10s",
        parameters=[
            P(name="n", value="41", type="INT"),
            P(name="price", value="12.50", type="DECIMAL(10,2)"),
            P(name="day", value="2024-02-29", type="DATE"),
            P(name="flag", value="true", type="BOOLEAN"),
            P(name="label", value="it's"),
            P(name="missing", type="STRING"),
            P(name="at", value="2024-01-02T03:04:05Z", type="TIMESTAMP"),
        ],
    )
    assert response.status.state == StatementState.SUCCEEDED, response.status
    row = response.result.data_array[0]
    assert row[:6] == ["42", "12.50", "2024-02-29", "true", "it's", None]
    assert row[6].startswith("2024-01-02T03:04:05")
    columns = {c.name: c for c in response.manifest.schema.columns}
    assert columns["price"].type_name.value == "DECIMAL"
    assert (columns["price"].type_precision, columns["price"].type_scale) == (10, 2)


def test_missing_table_fails_with_http_200_and_the_error_class(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    response = workspace_client.statement_execution.execute_statement(
        "SELECT * FROM main.default.nowhere", fake_workspace.warehouse_id, wait_timeout="10s"
    )
    assert response.status.state == StatementState.FAILED
    assert response.status.error.message.startswith("[TABLE_OR_VIEW_NOT_FOUND]")
    assert response.status.sql_state == "42P01"
    assert response.result is None and response.manifest is None


def test_syntax_error_fails_as_bad_request(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    response = workspace_client.statement_execution.execute_statement(
        "SELEC nonsense FROM", fake_workspace.warehouse_id, wait_timeout="10s"
    )
    assert response.status.state == StatementState.FAILED
    assert response.status.error.error_code.value == "BAD_REQUEST"
    assert response.status.error.message.startswith("[PARSE_SYNTAX_ERROR]")


def test_large_result_is_walked_chunk_by_chunk(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    rows = 250_000
    api = workspace_client.statement_execution
    response = api.execute_statement(
        f"SELECT id, concat('name-', CAST(id AS STRING)) AS name FROM range({rows}) AS t(id)",
        fake_workspace.warehouse_id,
        wait_timeout="50s",
    )
    assert response.status.state == StatementState.SUCCEEDED, response.status
    manifest = response.manifest
    assert manifest.total_row_count == rows
    assert manifest.total_chunk_count > 1
    assert len(manifest.chunks) == manifest.total_chunk_count
    seen = len(response.result.data_array)
    first_id = response.result.data_array[0][0]
    chunk = response.result
    index = 0
    while chunk.next_chunk_index is not None:
        assert chunk.next_chunk_internal_link.endswith(f"/result/chunks/{chunk.next_chunk_index}")
        index = chunk.next_chunk_index
        chunk = api.get_statement_result_chunk_n(response.statement_id, index)
        assert chunk.chunk_index == index
        assert chunk.row_offset == seen
        seen += len(chunk.data_array)
    assert index == manifest.total_chunk_count - 1
    assert seen == rows
    assert first_id == "0" and chunk.data_array[-1] == [str(rows - 1), f"name-{rows - 1}"]


def test_row_limit_truncates_and_says_so(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    response = workspace_client.statement_execution.execute_statement(
        "SELECT id FROM range(100) AS t(id)",
        fake_workspace.warehouse_id,
        wait_timeout="10s",
        row_limit=7,
    )
    assert response.manifest.total_row_count == 7
    assert response.manifest.truncated is True
    assert len(response.result.data_array) == 7


def test_byte_limit_truncates_and_says_so(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    response = workspace_client.statement_execution.execute_statement(
        "SELECT id FROM range(10000) AS t(id)",
        fake_workspace.warehouse_id,
        wait_timeout="10s",
        byte_limit=1000,
    )
    assert response.manifest.truncated is True
    assert 0 < response.manifest.total_row_count < 10000


def test_external_links_download_without_authorization(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    response = workspace_client.statement_execution.execute_statement(
        "SELECT id, id * 2 AS twice FROM range(5) AS t(id)",
        fake_workspace.warehouse_id,
        wait_timeout="10s",
        disposition=Disposition.EXTERNAL_LINKS,
        format=Format.JSON_ARRAY,
    )
    assert response.status.state == StatementState.SUCCEEDED
    link = response.result.external_links[0]
    assert link.expiration and link.row_count == 5
    downloaded = requests.get(link.external_link, headers=link.http_headers or {}, timeout=5)
    assert downloaded.status_code == 200
    assert downloaded.json()[4] == ["4", "8"]
    again = workspace_client.statement_execution.get_statement_result_chunk_n(
        response.statement_id, 0
    )
    assert again.external_links[0].row_count == 5


def test_external_link_with_a_forged_signature_is_refused(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    response = workspace_client.statement_execution.execute_statement(
        "SELECT 1 AS one",
        fake_workspace.warehouse_id,
        wait_timeout="10s",
        disposition=Disposition.EXTERNAL_LINKS,
    )
    url = response.result.external_links[0].external_link
    forged = url.rsplit("signature=", 1)[0] + "signature=" + "0" * 64
    assert requests.get(forged, timeout=5).status_code == 403


def test_csv_external_links_carry_a_header_row(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    response = workspace_client.statement_execution.execute_statement(
        "SELECT 1 AS one, NULL AS nothing",
        fake_workspace.warehouse_id,
        wait_timeout="10s",
        disposition=Disposition.EXTERNAL_LINKS,
        format=Format.CSV,
    )
    text = requests.get(response.result.external_links[0].external_link, timeout=5).text
    assert text.splitlines() == ["one,nothing", "1,null"]


def test_stuck_statement_stays_pending_until_cancelled(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    fake_workspace.set_faults({"stuck_pending": 1.0})
    api = workspace_client.statement_execution
    response = api.execute_statement("SELECT 1", fake_workspace.warehouse_id, wait_timeout="0s")
    assert api.get_statement(response.statement_id).status.state == StatementState.PENDING
    api.cancel_execution(response.statement_id)
    assert api.get_statement(response.statement_id).status.state == StatementState.CANCELED


def test_on_wait_timeout_cancel_ends_a_slow_statement_canceled(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    fake_workspace.set_faults({"stuck_pending": 1.0})
    response = workspace_client.statement_execution.execute_statement(
        "SELECT 1",
        fake_workspace.warehouse_id,
        wait_timeout="5s",
        on_wait_timeout=ExecuteStatementRequestOnWaitTimeout.CANCEL,
    )
    assert response.status.state == StatementState.CANCELED


def test_unknown_statement_is_resource_does_not_exist(workspace_client: WorkspaceClient) -> None:
    with pytest.raises(ResourceDoesNotExist):
        workspace_client.statement_execution.get_statement("01ee0000-0000-0000-0000-000000000000")


def test_invalid_wait_timeout_is_rejected(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    from databricks.sdk.errors import InvalidParameterValue

    with pytest.raises(InvalidParameterValue):
        workspace_client.statement_execution.execute_statement(
            "SELECT 1", fake_workspace.warehouse_id, wait_timeout="3s"
        )


def test_old_sdk_trailing_slash_path_is_served(fake_workspace: EmulatedWorkspace) -> None:
    answer = requests.post(
        f"{fake_workspace.host}/api/2.0/sql/statements/",
        json={"statement": "SELECT 1 AS one", "warehouse_id": fake_workspace.warehouse_id},
        headers={"Authorization": f"Bearer {fake_workspace.admin_token}"},
        timeout=10,
    )
    assert answer.json()["result"]["data_array"] == [["1"]]


def test_dml_reports_affected_rows(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    api = workspace_client.statement_execution
    warehouse = fake_workspace.warehouse_id
    api.execute_statement("CREATE TABLE main.default.t (id BIGINT, v STRING)", warehouse)
    response = api.execute_statement(
        "INSERT INTO main.default.t VALUES (1, 'a'), (2, 'b')", warehouse
    )
    assert response.status.state == StatementState.SUCCEEDED, response.status
    assert response.result.data_array[0][0] == "2"
    rows = api.execute_statement(
        "SELECT v FROM t ORDER BY id", warehouse, catalog="main", schema="default"
    )
    assert rows.result.data_array == [["a"], ["b"]]


def test_the_warehouse_is_listed_and_a_statement_starts_it(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    from databricks.sdk.service.sql import State

    (warehouse,) = list(workspace_client.warehouses.list())
    assert warehouse.id == fake_workspace.warehouse_id and warehouse.state == State.RUNNING
    workspace_client.warehouses.stop(fake_workspace.warehouse_id)
    assert workspace_client.warehouses.get(fake_workspace.warehouse_id).state == State.STOPPED
    workspace_client.statement_execution.execute_statement("SELECT 1", fake_workspace.warehouse_id)
    assert workspace_client.warehouses.get(fake_workspace.warehouse_id).state == State.RUNNING


def test_row_limit_equal_to_the_row_count_is_not_truncated(
    workspace_client: WorkspaceClient, fake_workspace: EmulatedWorkspace
) -> None:
    api = workspace_client.statement_execution
    exact = api.execute_statement(
        "SELECT id FROM range(25000) AS t(id)", fake_workspace.warehouse_id, row_limit=25000
    )
    assert exact.manifest.total_row_count == 25000 and exact.manifest.truncated is False
    across = api.execute_statement(
        "SELECT id FROM range(25000) AS t(id)", fake_workspace.warehouse_id, row_limit=15001
    )
    assert across.manifest.total_row_count == 15001 and across.manifest.truncated is True
