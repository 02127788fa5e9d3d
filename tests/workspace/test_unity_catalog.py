"""Unity Catalog browse, paging, volumes, functions and grants through the official SDK."""

from __future__ import annotations

import pytest
import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import InvalidParameterValue, NotFound, ResourceAlreadyExists
from databricks.sdk.service.catalog import (
    ColumnTypeName,
    CreateFunction,
    CreateFunctionParameterStyle,
    CreateFunctionRoutineBody,
    CreateFunctionSecurityType,
    CreateFunctionSqlDataAccess,
    FunctionParameterInfos,
    PermissionsChange,
    Privilege,
    VolumeType,
)

from appkit_testing.workspace import EmulatedWorkspace


def _get(workspace: EmulatedWorkspace, path: str, **params: object) -> dict:  # type: ignore[type-arg]
    answer = requests.get(
        f"{workspace.host}{path}",
        params=params,
        headers={"Authorization": f"Bearer {workspace.admin_token}"},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_tables_show_columns_full_name_and_delta_format(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    fake_workspace.sql("CREATE SCHEMA main.sales")
    fake_workspace.sql(
        "CREATE TABLE main.sales.orders (id BIGINT, amount DECIMAL(10,2), note STRING)"
    )
    table = workspace_client.tables.get("main.sales.orders")
    assert table.full_name == "main.sales.orders"
    assert table.data_source_format.value == "DELTA"
    assert table.table_type.value == "MANAGED"
    assert [(c.name, c.type_name.value) for c in table.columns] == [
        ("id", "LONG"),
        ("amount", "DECIMAL"),
        ("note", "STRING"),
    ]
    listed = list(workspace_client.tables.list(catalog_name="main", schema_name="sales"))
    assert [t.full_name for t in listed] == ["main.sales.orders"]
    assert workspace_client.tables.exists("main.sales.orders").table_exists is True


def test_missing_objects_answer_404_with_unity_catalog_codes(
    workspace_client: WorkspaceClient,
) -> None:
    with pytest.raises(NotFound, match="does not exist"):
        workspace_client.tables.get("main.default.nothing")
    with pytest.raises(NotFound):
        list(workspace_client.schemas.list(catalog_name="nocatalog"))


def test_schema_listing_pages_with_next_page_token(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    for index in range(7):
        fake_workspace.sql(f"CREATE SCHEMA main.s{index}")
    first = _get(
        fake_workspace, "/api/2.1/unity-catalog/schemas", catalog_name="main", max_results=3
    )
    assert len(first["schemas"]) == 3 and first["next_page_token"]
    names = [s["name"] for s in first["schemas"]]
    token = first["next_page_token"]
    while token:
        page = _get(
            fake_workspace,
            "/api/2.1/unity-catalog/schemas",
            catalog_name="main",
            max_results=3,
            page_token=token,
        )
        names += [s["name"] for s in page["schemas"]]
        token = page.get("next_page_token")
    assert names == sorted(["default", *[f"s{i}" for i in range(7)]])
    everything = _get(fake_workspace, "/api/2.1/unity-catalog/schemas", catalog_name="main")
    assert "next_page_token" not in everything and len(everything["schemas"]) == 8
    via_sdk = [s.name for s in workspace_client.schemas.list(catalog_name="main")]
    assert via_sdk == names


def test_max_results_zero_uses_the_server_page_size_and_negative_is_invalid(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    for index in range(55):
        fake_workspace.sql(f"CREATE TABLE main.default.t{index:02d} (id INT)")
    page = _get(
        fake_workspace,
        "/api/2.1/unity-catalog/tables",
        catalog_name="main",
        schema_name="default",
        max_results=0,
    )
    assert len(page["tables"]) == 50 and page["next_page_token"]
    assert len(list(workspace_client.tables.list("main", "default"))) == 55
    with pytest.raises(InvalidParameterValue):
        list(workspace_client.tables.list("main", "default", max_results=-1))


def test_volumes_live_in_the_emulator(workspace_client: WorkspaceClient) -> None:
    created = workspace_client.volumes.create(
        catalog_name="main",
        schema_name="default",
        name="landing",
        volume_type=VolumeType.MANAGED,
        comment="files",
    )
    assert created.full_name == "main.default.landing" and created.volume_id
    assert workspace_client.volumes.read("main.default.landing").comment == "files"
    listed = list(workspace_client.volumes.list(catalog_name="main", schema_name="default"))
    assert [v.name for v in listed] == ["landing"]
    with pytest.raises(Exception, match="already exists"):
        workspace_client.volumes.create(
            catalog_name="main",
            schema_name="default",
            name="landing",
            volume_type=VolumeType.MANAGED,
        )
    workspace_client.volumes.delete("main.default.landing")
    with pytest.raises(NotFound):
        workspace_client.volumes.read("main.default.landing")


def test_functions_are_created_listed_and_dropped(workspace_client: WorkspaceClient) -> None:
    workspace_client.functions.create(
        CreateFunction(
            name="double_it",
            catalog_name="main",
            schema_name="default",
            input_params=FunctionParameterInfos(parameters=[]),
            data_type=ColumnTypeName.INT,
            full_data_type="INT",
            routine_body=CreateFunctionRoutineBody.SQL,
            routine_definition="1 * 2",
            parameter_style=CreateFunctionParameterStyle.S,
            is_deterministic=True,
            sql_data_access=CreateFunctionSqlDataAccess.NO_SQL,
            is_null_call=False,
            security_type=CreateFunctionSecurityType.DEFINER,
            specific_name="double_it",
        )
    )
    found = workspace_client.functions.get("main.default.double_it")
    assert found.full_name == "main.default.double_it" and found.routine_definition == "1 * 2"
    listed = list(workspace_client.functions.list(catalog_name="main", schema_name="default"))
    assert [f.name for f in listed] == ["double_it"]
    workspace_client.functions.delete("main.default.double_it")
    with pytest.raises(NotFound):
        workspace_client.functions.get("main.default.double_it")


def test_grants_patch_then_direct_and_effective_permissions(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    fake_workspace.sql("CREATE TABLE main.default.metrics (v INT)")
    workspace_client.grants.update(
        "SCHEMA",
        "main.default",
        changes=[
            PermissionsChange(principal="analysts", add=[Privilege.SELECT, Privilege.USE_SCHEMA])
        ],
    )
    workspace_client.grants.update(
        "table",
        "main.default.metrics",
        changes=[PermissionsChange(principal="bob@example.com", add=[Privilege.MODIFY])],
    )
    direct = workspace_client.grants.get("TABLE", "main.default.metrics")
    assert [(a.principal, a.privileges) for a in direct.privilege_assignments] == [
        ("bob@example.com", [Privilege.MODIFY])
    ]
    effective = workspace_client.grants.get_effective("TABLE", "main.default.metrics")
    by_principal = {a.principal: a.privileges for a in effective.privilege_assignments}
    inherited = {
        (p.privilege, p.inherited_from_type, p.inherited_from_name)
        for p in by_principal["analysts"]
    }
    assert (Privilege.SELECT, "SCHEMA", "main.default") in {
        (priv, kind.value if kind else None, name) for priv, kind, name in inherited
    }
    assert by_principal["bob@example.com"][0].inherited_from_type is None
    workspace_client.grants.update(
        "TABLE",
        "main.default.metrics",
        changes=[PermissionsChange(principal="bob@example.com", remove=[Privilege.MODIFY])],
    )
    assert not workspace_client.grants.get("TABLE", "main.default.metrics").privilege_assignments


def test_grants_on_missing_table_are_not_found(workspace_client: WorkspaceClient) -> None:
    with pytest.raises(NotFound):
        workspace_client.grants.get("TABLE", "main.default.missing")


def test_secret_scope_twice_is_resource_already_exists(workspace_client: WorkspaceClient) -> None:
    workspace_client.secrets.create_scope("app")
    with pytest.raises(ResourceAlreadyExists):
        workspace_client.secrets.create_scope("app")
