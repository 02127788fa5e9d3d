"""Fault injection and the /_emulator/ control surface."""

from __future__ import annotations

import time

import pytest
import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.config import Config
from databricks.sdk.errors import PermissionDenied, RequestLimitExceeded

from appkit_testing.workspace import EmulatedWorkspace, FaultPlan
from appkit_testing.workspace.control.faults import FaultInjector
from tests.workspace.conftest import ClientFor


def _control(
    workspace: EmulatedWorkspace, method: str, path: str, **kwargs: object
) -> requests.Response:
    return requests.request(
        method,
        f"{workspace.host}/_emulator/{path}",
        headers={"Authorization": f"Bearer {workspace.admin_token}"},
        timeout=5,
        **kwargs,
    )


def test_sdk_retries_a_429_with_retry_after_and_then_succeeds(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    fake_workspace.set_faults({"http_429": 1.0, "max_faults": 1, "seed": 1})
    started = time.monotonic()
    assert workspace_client.current_user.me().user_name == "admin@example.com"
    assert time.monotonic() - started >= 1.0  # waited for Retry-After: 1
    stats = _control(fake_workspace, "GET", "stats").json()
    assert stats["faults"] == {"http_429": 1}
    assert stats["requests"]["by_status"]["429"] == 1


def test_persistent_429_surfaces_as_too_many_requests(fake_workspace: EmulatedWorkspace) -> None:
    fake_workspace.set_faults({"http_429": 1.0})
    answer = requests.get(
        f"{fake_workspace.host}/api/2.0/preview/scim/v2/Me",
        headers={"Authorization": f"Bearer {fake_workspace.admin_token}"},
        timeout=5,
    )
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "1"
    client = WorkspaceClient(
        config=Config(
            host=fake_workspace.host,
            token=fake_workspace.admin_token,
            auth_type="pat",
            retry_timeout_seconds=1,
        )
    )
    with pytest.raises((RequestLimitExceeded, TimeoutError)):
        client.current_user.me()


def test_dropped_connection_is_retried_by_the_sdk(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    fake_workspace.set_faults({"reset": 1.0, "max_faults": 1})
    assert workspace_client.current_user.me().user_name == "admin@example.com"
    assert _control(fake_workspace, "GET", "stats").json()["faults"] == {"reset": 1}


def test_faults_never_touch_host_metadata_or_the_control_surface(
    fake_workspace: EmulatedWorkspace,
) -> None:
    fake_workspace.set_faults({"http_503": 1.0})
    metadata = requests.get(f"{fake_workspace.host}/.well-known/databricks-config", timeout=5)
    assert metadata.status_code == 200
    assert _control(fake_workspace, "GET", "stats").status_code == 200


def test_same_seed_gives_the_same_fault_sequence() -> None:
    plan = FaultPlan(rates={"http_429": 0.3, "http_503": 0.2}, seed=42)
    kinds = ("http_429", "http_503", "reset")
    first, second = FaultInjector(plan), FaultInjector(plan)
    assert [first.draw(kinds) for _ in range(200)] == [second.draw(kinds) for _ in range(200)]
    drawn = [FaultInjector(plan).draw(kinds) for _ in range(1)]
    assert drawn == [FaultInjector(plan).draw(kinds)]


def test_fault_plan_rejects_unknown_kinds_and_bad_rates(fake_workspace: EmulatedWorkspace) -> None:
    assert _control(fake_workspace, "POST", "faults", json={"http_418": 0.5}).status_code == 400
    assert _control(fake_workspace, "POST", "faults", json={"http_429": 2}).status_code == 400
    accepted = _control(fake_workspace, "POST", "faults", json={"latency_ms": 5, "seed": 3})
    assert accepted.json()["latency_ms"] == 5


def test_stats_count_requests_by_route_and_statements_by_kind(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    api = workspace_client.statement_execution
    api.execute_statement("SELECT 1", fake_workspace.warehouse_id)
    api.execute_statement("CREATE TABLE main.default.k (id INT)", fake_workspace.warehouse_id)
    stats = _control(fake_workspace, "GET", "stats").json()
    assert stats["requests"]["by_route"]["POST /api/2.0/sql/statements"] == 2
    assert stats["statements"]["by_kind"] == {"SELECT": 1, "CREATE": 1}
    assert stats["statements"]["by_state"] == {"SUCCEEDED": 2}


def test_statement_log_keeps_parameter_names_and_types_never_values(
    fake_workspace: EmulatedWorkspace, client_for: ClientFor
) -> None:
    from databricks.sdk.service.sql import StatementParameterListItem

    dave = client_for("dave@example.com")
    dave.statement_execution.execute_statement(
        "SELECT :secret AS s",
        fake_workspace.warehouse_id,
        parameters=[StatementParameterListItem(name="secret", value="hunter2", type="STRING")],
    )
    body = _control(fake_workspace, "GET", "statements").text
    assert "hunter2" not in body
    (entry,) = _control(fake_workspace, "GET", "statements").json()["statements"]
    assert entry["statement"] == "SELECT :secret AS s"
    assert entry["parameters"] == [{"name": "secret", "type": "STRING"}]
    assert entry["principal"] == "dave@example.com" and entry["state"] == "SUCCEEDED"


def test_principals_are_added_through_the_control_surface(
    fake_workspace: EmulatedWorkspace,
) -> None:
    added = _control(
        fake_workspace,
        "POST",
        "principals",
        json={"name": "erin@example.com", "groups": ["auditors"]},
    ).json()
    client = WorkspaceClient(host=fake_workspace.host, token=added["token"], auth_type="pat")
    me = client.current_user.me()
    assert me.user_name == "erin@example.com"
    assert [g.display for g in me.groups] == ["auditors"]


def test_control_surface_needs_the_admin_token(
    fake_workspace: EmulatedWorkspace, client_for: ClientFor
) -> None:
    user = client_for("mallory@example.com")
    with pytest.raises(PermissionDenied):
        user.api_client.do("GET", "/_emulator/stats")


def test_reset_forgets_principals_and_tables_but_keeps_the_admin_token(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    fake_workspace.add_principal("temp@example.com")
    fake_workspace.sql("CREATE TABLE main.default.gone (id INT)")
    assert _control(fake_workspace, "POST", "reset").status_code == 200
    assert fake_workspace.workspace.identity.by_name("temp@example.com") is None
    assert not workspace_client.tables.exists("main.default.gone").table_exists
    assert workspace_client.current_user.me().user_name == "admin@example.com"


def test_unknown_route_answers_endpoint_not_found(fake_workspace: EmulatedWorkspace) -> None:
    answer = requests.get(f"{fake_workspace.host}/api/2.0/nothing", timeout=5)
    assert answer.status_code == 404
    assert answer.json()["error_code"] == "ENDPOINT_NOT_FOUND"


def test_latency_is_added_to_databricks_routes_only(fake_workspace: EmulatedWorkspace) -> None:
    fake_workspace.set_faults({"latency_ms": 1000})
    headers = {"Authorization": f"Bearer {fake_workspace.admin_token}"}
    started = time.monotonic()
    requests.get(f"{fake_workspace.host}/api/2.0/preview/scim/v2/Me", headers=headers, timeout=5)
    assert time.monotonic() - started >= 1.0
    started = time.monotonic()
    requests.get(f"{fake_workspace.host}/.well-known/databricks-config", timeout=5)
    assert time.monotonic() - started < 1.0


def test_sdk_retries_a_503_and_then_succeeds(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    fake_workspace.set_faults({"http_503": 1.0, "max_faults": 1})
    assert "main" in [c.name for c in workspace_client.catalogs.list()]
    assert _control(fake_workspace, "GET", "stats").json()["faults"] == {"http_503": 1}
