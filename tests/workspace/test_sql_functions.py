"""SQL functions through the emulated workspace: created in SQL and seen by the functions API,
created over REST and callable from SQL, dropped either way."""

from __future__ import annotations

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound
from databricks.sdk.service.catalog import (
    ColumnTypeName,
    CreateFunction,
    CreateFunctionParameterStyle,
    CreateFunctionRoutineBody,
    CreateFunctionSecurityType,
    CreateFunctionSqlDataAccess,
    FunctionParameterInfo,
    FunctionParameterInfos,
)

from appkit_testing.workspace import EmulatedWorkspace
from tests.workspace.conftest import run_sql


def _value(client: WorkspaceClient, warehouse: str, statement: str) -> object:
    response = run_sql(client, warehouse, statement)
    assert response.status is not None and response.status.state is not None
    assert response.status.state.value == "SUCCEEDED", response.status.error
    assert response.result is not None and response.result.data_array
    return response.result.data_array[0][0]


def test_a_function_made_in_sql_is_listed_described_and_dropped_over_rest(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    warehouse = fake_workspace.warehouse_id
    run_sql(
        workspace_client,
        warehouse,
        "CREATE FUNCTION main.default.net(amount DECIMAL(10,2), fee DECIMAL(10,2) DEFAULT 1)"
        " RETURNS DECIMAL(10,2) COMMENT 'amount less the fee' RETURN amount - fee",
    )
    assert _value(workspace_client, warehouse, "SELECT main.default.net(10)") == "9.00"
    info = workspace_client.functions.get("main.default.net")
    assert info.full_data_type == "DECIMAL(10, 2)" and info.comment == "amount less the fee"
    assert info.routine_definition == "amount - fee"
    assert [p.name for p in info.input_params.parameters] == ["amount", "fee"]
    assert info.input_params.parameters[1].parameter_default == "1"
    listed = workspace_client.functions.list(catalog_name="main", schema_name="default")
    assert [f.name for f in listed] == ["net"]
    workspace_client.functions.delete("main.default.net")
    with pytest.raises(NotFound):
        workspace_client.functions.get("main.default.net")
    failed = run_sql(workspace_client, warehouse, "SELECT main.default.net(10)")
    assert failed.status is not None and failed.status.state.value == "FAILED"


def test_a_function_made_over_rest_is_callable_from_sql(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    workspace_client.functions.create(
        CreateFunction(
            name="greet",
            catalog_name="main",
            schema_name="default",
            input_params=FunctionParameterInfos(
                parameters=[
                    FunctionParameterInfo(
                        name="who",
                        type_text="STRING",
                        type_name=ColumnTypeName.STRING,
                        position=0,
                    )
                ]
            ),
            data_type=ColumnTypeName.STRING,
            full_data_type="STRING",
            routine_body=CreateFunctionRoutineBody.SQL,
            routine_definition="concat('hello ', who)",
            parameter_style=CreateFunctionParameterStyle.S,
            is_deterministic=True,
            sql_data_access=CreateFunctionSqlDataAccess.CONTAINS_SQL,
            is_null_call=False,
            security_type=CreateFunctionSecurityType.DEFINER,
            specific_name="greet",
        )
    )
    warehouse = fake_workspace.warehouse_id
    assert _value(workspace_client, warehouse, "SELECT main.default.greet('ann')") == "hello ann"
    described = run_sql(workspace_client, warehouse, "DESCRIBE FUNCTION main.default.greet")
    lines = [row[0] for row in described.result.data_array]
    assert lines[:2] == ["Function: main.default.greet", "Type:     SCALAR"]
