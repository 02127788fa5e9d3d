"""Unity Catalog privileges decide what a user's token may read and write."""

from __future__ import annotations

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.catalog import PermissionsChange, Privilege
from databricks.sdk.service.sql import StatementState

from appkit_testing.workspace import EmulatedWorkspace
from tests.workspace.conftest import ClientFor


def _sql(client: WorkspaceClient, warehouse_id: str, statement: str):  # type: ignore[no-untyped-def]
    return client.statement_execution.execute_statement(statement, warehouse_id, wait_timeout="10s")


def _setup(fake_workspace: EmulatedWorkspace) -> None:
    fake_workspace.sql("CREATE SCHEMA main.risk")
    fake_workspace.sql("CREATE TABLE main.risk.metrics (entity STRING, value DOUBLE)")
    fake_workspace.sql("INSERT INTO main.risk.metrics VALUES ('acme', 0.5)")


def test_user_reads_only_after_select_is_granted_and_not_after_revoke(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient, client_for: ClientFor
) -> None:
    _setup(fake_workspace)
    warehouse = fake_workspace.warehouse_id
    dave = client_for("dave@example.com")
    query = "SELECT value FROM main.risk.metrics"

    denied = _sql(dave, warehouse, query)
    assert denied.status.state == StatementState.FAILED
    assert denied.status.error.message.startswith("[INSUFFICIENT_PERMISSIONS]")
    assert "USE CATALOG on Catalog 'main'" in denied.status.error.message

    for grant in (
        "GRANT USE CATALOG ON CATALOG main TO `dave@example.com`",
        "GRANT USE SCHEMA ON SCHEMA main.risk TO `dave@example.com`",
        "GRANT SELECT ON TABLE main.risk.metrics TO `dave@example.com`",
    ):
        assert _sql(workspace_client, warehouse, grant).status.state == StatementState.SUCCEEDED

    allowed = _sql(dave, warehouse, query)
    assert allowed.status.state == StatementState.SUCCEEDED, allowed.status
    assert allowed.result.data_array == [["0.5"]]

    revoke = "REVOKE SELECT ON TABLE main.risk.metrics FROM `dave@example.com`"
    assert _sql(workspace_client, warehouse, revoke).status.state == StatementState.SUCCEEDED
    again = _sql(dave, warehouse, query)
    assert again.status.state == StatementState.FAILED
    assert "User does not have SELECT on Table 'main.risk.metrics'" in again.status.error.message


def test_select_inherited_from_a_group_grant_on_the_catalog(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient, client_for: ClientFor
) -> None:
    _setup(fake_workspace)
    workspace_client.grants.update(
        "CATALOG",
        "main",
        changes=[
            PermissionsChange(
                principal="risk-readers",
                add=[Privilege.USE_CATALOG, Privilege.USE_SCHEMA, Privilege.SELECT],
            )
        ],
    )
    carol = client_for("carol@example.com", groups=("risk-readers",))
    answer = _sql(carol, fake_workspace.warehouse_id, "SELECT entity FROM main.risk.metrics")
    assert answer.status.state == StatementState.SUCCEEDED, answer.status


def test_writing_needs_modify_not_just_select(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient, client_for: ClientFor
) -> None:
    _setup(fake_workspace)
    warehouse = fake_workspace.warehouse_id
    _sql(
        workspace_client,
        warehouse,
        "GRANT USE CATALOG, USE SCHEMA, SELECT ON CATALOG main TO `alice@example.com`",
    )
    alice = client_for("alice@example.com")
    insert = "INSERT INTO main.risk.metrics VALUES ('zeta', 0.1)"
    refused = _sql(alice, warehouse, insert)
    assert refused.status.state == StatementState.FAILED
    assert "User does not have MODIFY on Table 'main.risk.metrics'" in refused.status.error.message
    _sql(
        workspace_client,
        warehouse,
        "GRANT MODIFY ON TABLE main.risk.metrics TO `alice@example.com`",
    )
    assert _sql(alice, warehouse, insert).status.state == StatementState.SUCCEEDED


def test_non_admin_cannot_grant_what_they_do_not_manage(
    fake_workspace: EmulatedWorkspace, client_for: ClientFor
) -> None:
    _setup(fake_workspace)
    eve = client_for("eve@example.com")
    answer = _sql(
        eve,
        fake_workspace.warehouse_id,
        "GRANT SELECT ON TABLE main.risk.metrics TO `eve@example.com`",
    )
    assert answer.status.state == StatementState.FAILED
    assert answer.status.error.message.startswith("[INSUFFICIENT_PERMISSIONS]")


def test_grant_sql_updates_the_permissions_api(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    _setup(fake_workspace)
    _sql(
        workspace_client,
        fake_workspace.warehouse_id,
        "GRANT SELECT ON main.risk.metrics TO analysts",
    )
    direct = workspace_client.grants.get("TABLE", "main.risk.metrics")
    assert [(a.principal, a.privileges) for a in direct.privilege_assignments] == [
        ("analysts", [Privilege.SELECT])
    ]


def test_grant_on_a_missing_table_fails_as_not_found(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    answer = _sql(
        workspace_client,
        fake_workspace.warehouse_id,
        "GRANT SELECT ON TABLE main.default.ghost TO x",
    )
    assert answer.status.state == StatementState.FAILED
    assert answer.status.error.message.startswith("[TABLE_OR_VIEW_NOT_FOUND]")


def test_catalog_browse_shows_a_user_only_what_they_may_use(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient, client_for: ClientFor
) -> None:
    from databricks.sdk.errors import PermissionDenied

    _setup(fake_workspace)
    frank = client_for("frank@example.com")
    assert [c.name for c in frank.catalogs.list()] == ["samples"]  # every user reads samples
    try:
        frank.tables.get("main.risk.metrics")
    except PermissionDenied as error:
        assert "USE CATALOG" in str(error)
    else:
        raise AssertionError("a user without privileges read table metadata")
    _sql(
        workspace_client,
        fake_workspace.warehouse_id,
        "GRANT USE CATALOG, USE SCHEMA, SELECT ON CATALOG main TO `frank@example.com`",
    )
    assert [c.name for c in frank.catalogs.list()] == ["main", "samples"]
    assert frank.tables.get("main.risk.metrics").full_name == "main.risk.metrics"


def test_creating_needs_create_privileges_and_makes_the_creator_owner(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient, client_for: ClientFor
) -> None:
    warehouse = fake_workspace.warehouse_id
    gina = client_for("gina@example.com")
    refused = _sql(gina, warehouse, "CREATE SCHEMA main.gina")
    assert "CREATE SCHEMA on Catalog 'main'" in refused.status.error.message
    assert "CREATE CATALOG" in _sql(gina, warehouse, "CREATE CATALOG mine").status.error.message
    _sql(
        workspace_client,
        warehouse,
        "GRANT USE CATALOG, CREATE SCHEMA ON CATALOG main TO `gina@example.com`",
    )
    assert _sql(gina, warehouse, "CREATE SCHEMA main.gina").status.state == StatementState.SUCCEEDED
    created = _sql(gina, warehouse, "CREATE TABLE main.gina.notes (id INT)")
    assert created.status.state == StatementState.SUCCEEDED, created.status
    assert (
        _sql(gina, warehouse, "INSERT INTO main.gina.notes VALUES (1)").status.state
        == StatementState.SUCCEEDED
    )
    assert _sql(gina, warehouse, "SELECT id FROM main.gina.notes").result.data_array == [["1"]]
    assert workspace_client.tables.get("main.gina.notes").owner == "gina@example.com"
    assert (
        _sql(gina, warehouse, "DROP TABLE main.gina.notes").status.state == StatementState.SUCCEEDED
    )


def test_dropping_someone_elses_table_needs_manage(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient, client_for: ClientFor
) -> None:
    _setup(fake_workspace)
    warehouse = fake_workspace.warehouse_id
    _sql(
        workspace_client,
        warehouse,
        "GRANT USE CATALOG, USE SCHEMA, SELECT, MODIFY ON CATALOG main TO `hank@example.com`",
    )
    hank = client_for("hank@example.com")
    refused = _sql(hank, warehouse, "DROP TABLE main.risk.metrics")
    assert "User does not have MANAGE on Table 'main.risk.metrics'" in refused.status.error.message


def test_show_grants_lists_direct_and_inherited_privileges(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    _setup(fake_workspace)
    warehouse = fake_workspace.warehouse_id
    _sql(workspace_client, warehouse, "GRANT USE SCHEMA ON SCHEMA main.risk TO analysts")
    _sql(
        workspace_client, warehouse, "GRANT SELECT ON TABLE main.risk.metrics TO `ivy@example.com`"
    )
    shown = _sql(workspace_client, warehouse, "SHOW GRANTS ON TABLE main.risk.metrics")
    assert shown.status.state == StatementState.SUCCEEDED, shown.status
    assert [c.name for c in shown.manifest.schema.columns] == [
        "principal",
        "action_type",
        "object_type",
        "object_key",
    ]
    assert sorted(shown.result.data_array) == [
        ["analysts", "USE SCHEMA", "SCHEMA", "main.risk"],
        ["ivy@example.com", "SELECT", "TABLE", "main.risk.metrics"],
    ]
    only_ivy = _sql(
        workspace_client, warehouse, "SHOW GRANTS `ivy@example.com` ON main.risk.metrics"
    )
    assert only_ivy.result.data_array == [
        ["ivy@example.com", "SELECT", "TABLE", "main.risk.metrics"]
    ]
