"""Unity Catalog writes, SCIM users and groups, host metadata and warehouse configuration,
through the official SDK against one emulator for the module."""

from __future__ import annotations

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.config import Config
from databricks.sdk.errors import BadRequest, NotFound, PermissionDenied, ResourceConflict
from databricks.sdk.service import iam
from databricks.sdk.service.catalog import PermissionsChange, Privilege
from databricks.sdk.service.sql import StatementState

from appkit_testing.workspace import EmulatedWorkspace


@pytest.fixture(scope="module")
def w(emulator: EmulatedWorkspace) -> WorkspaceClient:
    return emulator.client()


def _sql(client: WorkspaceClient, warehouse: str, statement: str) -> list[list[str | None]]:
    answer = client.statement_execution.execute_statement(statement, warehouse, wait_timeout="10s")
    assert answer.status.state == StatementState.SUCCEEDED, answer.status.error
    return answer.result.data_array or []


def test_catalogs_and_schemas_are_created_updated_and_deleted(w: WorkspaceClient) -> None:
    created = w.catalogs.create("sales", comment="all sales", properties={"team": "eu"})
    assert (created.name, created.comment, created.properties) == (
        "sales",
        "all sales",
        {"team": "eu"},
    )
    assert w.catalogs.update("sales", comment="every sale").comment == "every sale"
    schema = w.schemas.create("orders-eu", "sales", comment="eu")
    assert schema.full_name == "sales.orders-eu"
    assert w.schemas.get("sales.orders-eu").comment == "eu"
    assert w.schemas.update("sales.orders-eu", comment="europe").comment == "europe"
    with pytest.raises(ResourceConflict):
        w.schemas.create("orders-eu", "sales")
    with pytest.raises(BadRequest, match="not supported"):
        w.schemas.update("sales.orders-eu", new_name="other")
    w.schemas.delete("sales.orders-eu")
    with pytest.raises(NotFound):
        w.schemas.get("sales.orders-eu")
    w.catalogs.delete("sales", force=True)
    assert "sales" not in [c.name for c in w.catalogs.list()]


def test_tables_are_deleted_and_change_owner_and_summaries_list_them(
    emulator: EmulatedWorkspace, w: WorkspaceClient
) -> None:
    emulator.sql("CREATE SCHEMA main.shop")
    emulator.sql("CREATE TABLE main.shop.items (id INT)")
    emulator.sql("CREATE TABLE main.shop.prices (id INT)")
    w.tables.update("main.shop.items", owner="data-team")
    assert w.tables.get("main.shop.items").owner == "data-team"
    summaries = list(w.tables.list_summaries("main", schema_name_pattern="sho*"))
    assert [s.full_name for s in summaries] == ["main.shop.items", "main.shop.prices"]
    w.tables.delete("main.shop.prices")
    assert w.tables.exists("main.shop.prices").table_exists is False


def test_a_user_lists_only_the_tables_they_were_granted(
    emulator: EmulatedWorkspace, w: WorkspaceClient
) -> None:
    emulator.sql("CREATE SCHEMA main.seven")
    for index in range(7):
        emulator.sql(f"CREATE TABLE main.seven.t{index} (id INT)")
    added = emulator.add_principal("reader-seven@example.com")
    for kind, name, privilege in (
        ("CATALOG", "main", Privilege.USE_CATALOG),
        ("SCHEMA", "main.seven", Privilege.USE_SCHEMA),
        ("TABLE", "main.seven.t3", Privilege.SELECT),
    ):
        w.grants.update(
            kind, name, changes=[PermissionsChange(add=[privilege], principal=added["name"])]
        )
    reader = emulator.client(added["token"])
    assert [t.full_name for t in reader.tables.list("main", "seven")] == ["main.seven.t3"]
    assert [t.full_name for t in reader.tables.list_summaries("main")] == ["main.seven.t3"]
    with pytest.raises(PermissionDenied):
        reader.tables.get("main.seven.t4")


def test_groups_are_created_filtered_patched_and_deleted(
    emulator: EmulatedWorkspace, w: WorkspaceClient
) -> None:
    user = w.users.create(user_name="gina@example.com", display_name="Gina")
    principal = w.service_principals.create(display_name="etl")
    assert principal.application_id
    group = w.groups.create(display_name="analysts", members=[iam.ComplexValue(value=user.id)])
    assert [m.value for m in w.groups.get(group.id).members] == [user.id]
    assert [g.display_name for g in w.groups.list(filter="displayName eq analysts")] == ["analysts"]
    assert list(w.groups.list(filter="displayName eq nobody")) == []
    with pytest.raises(BadRequest):
        next(iter(w.groups.list(filter="nonsense")))
    w.groups.patch(
        group.id,
        operations=[iam.Patch(op=iam.PatchOp.ADD, path="members", value=[{"value": principal.id}])],
    )
    assert {m.value for m in w.groups.get(group.id).members} == {user.id, principal.id}
    w.groups.patch(
        group.id,
        operations=[iam.Patch(op=iam.PatchOp.REMOVE, path=f'members[value eq "{user.id}"]')],
    )
    assert [m.value for m in w.groups.get(group.id).members] == [principal.id]
    w.users.delete(user.id)
    with pytest.raises(NotFound):
        w.users.get(user.id)
    w.groups.delete(group.id)
    assert "analysts" not in [g.display_name for g in w.groups.list()]


def test_scim_lists_page_to_their_total(w: WorkspaceClient) -> None:
    for index in range(3):
        w.users.create(user_name=f"pager{index}@example.com")
    raw = w.api_client.do("GET", "/api/2.0/preview/scim/v2/Users", query={"count": 1})
    assert len(list(w.users.list(count=2))) == raw["totalResults"]


def test_group_membership_answers_is_account_group_member(
    emulator: EmulatedWorkspace, w: WorkspaceClient
) -> None:
    added = emulator.add_principal("member@example.com")
    group = w.groups.create(display_name="finance")
    user = next(iter(w.users.list(filter='userName eq "member@example.com"')))
    w.groups.patch(
        group.id,
        operations=[iam.Patch(op=iam.PatchOp.ADD, path="members", value=[{"value": user.id}])],
    )
    member = emulator.client(added["token"])
    rows = _sql(
        member,
        emulator.warehouse_id,
        "SELECT current_user(), is_account_group_member('finance'), is_member('admins')",
    )
    assert rows == [["member@example.com", "true", "false"]]


def test_host_metadata_names_the_account_and_workspace(emulator: EmulatedWorkspace) -> None:
    config = Config(host=emulator.host, token=emulator.admin_token, auth_type="pat")
    assert config.account_id == emulator.workspace.account_id
    assert config.workspace_id == emulator.workspace.workspace_id


def test_workspace_warehouse_config_round_trips(w: WorkspaceClient) -> None:
    assert w.warehouses.get_workspace_warehouse_config().security_policy is not None
    w.warehouses.set_workspace_warehouse_config(enable_serverless_compute=False)
    assert w.warehouses.get_workspace_warehouse_config().enable_serverless_compute is False
