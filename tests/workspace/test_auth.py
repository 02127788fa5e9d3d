"""Authentication as the real workspace does it: PAT, OAuth M2M, 401/403 bodies."""

from __future__ import annotations

import pytest
import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import PermissionDenied, Unauthenticated
from databricks.sdk.errors.parser import _Parser

from appkit_testing.workspace import EmulatedWorkspace


def test_pat_client_sees_its_own_identity(workspace_client: WorkspaceClient) -> None:
    me = workspace_client.current_user.me()
    assert me.user_name == "admin@example.com"
    assert any(group.display == "admins" for group in me.groups or [])


def test_host_metadata_points_oauth_at_the_emulator(fake_workspace: EmulatedWorkspace) -> None:
    body = requests.get(f"{fake_workspace.host}/.well-known/databricks-config", timeout=5).json()
    assert body["oidc_endpoint"] == f"{fake_workspace.host}/oidc"
    assert body["workspace_id"].isdigit()


def test_service_principal_authenticates_with_oauth_m2m(
    fake_workspace: EmulatedWorkspace,
) -> None:
    added = fake_workspace.add_principal(
        "6f1c2a40-0000-4000-8000-000000000001", kind="service_principal", groups=["apps"]
    )
    client = WorkspaceClient(
        host=fake_workspace.host,
        client_id=added["client_id"],
        client_secret=added["client_secret"],
        auth_type="oauth-m2m",
    )
    me = client.current_user.me()
    assert me.user_name == added["client_id"]
    assert client.config.auth_type == "oauth-m2m"


def test_token_endpoint_rejects_a_wrong_client_secret(fake_workspace: EmulatedWorkspace) -> None:
    added = fake_workspace.add_principal("sp-app", kind="service_principal")
    answer = requests.post(
        f"{fake_workspace.host}/oidc/v1/token",
        data={"grant_type": "client_credentials", "scope": "all-apis"},
        auth=(added["client_id"], "wrong"),
        timeout=5,
    )
    assert answer.status_code == 401
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["error"] == "invalid_client"


def test_missing_token_is_401_with_the_gateway_body(fake_workspace: EmulatedWorkspace) -> None:
    answer = requests.get(f"{fake_workspace.host}/api/2.0/preview/scim/v2/Me", timeout=5)
    assert answer.status_code == 401
    assert answer.json() == {
        "error_code": 401,
        "message": "Credential was not sent or was of an unsupported type for this API.",
    }


def test_unknown_token_is_403_invalid_access_token(fake_workspace: EmulatedWorkspace) -> None:
    answer = requests.get(
        f"{fake_workspace.host}/api/2.0/preview/scim/v2/Me",
        headers={"Authorization": "Bearer dapi-not-issued"},
        timeout=5,
    )
    assert answer.status_code == 403
    assert answer.json() == {"error_code": 403, "message": "Invalid access token."}
    assert answer.headers["X-Databricks-Reason-Phrase"] == "Invalid access token."


def test_sdk_raises_its_auth_exception_classes(fake_workspace: EmulatedWorkspace) -> None:
    bad = WorkspaceClient(host=fake_workspace.host, token="dapi-not-issued", auth_type="pat")
    with pytest.raises(PermissionDenied, match="Invalid access token"):
        bad.current_user.me()
    raw = requests.get(f"{fake_workspace.host}/api/2.1/unity-catalog/catalogs", timeout=5)
    assert isinstance(_Parser().get_api_error(raw), Unauthenticated)


def test_bearer_scheme_is_case_insensitive(fake_workspace: EmulatedWorkspace) -> None:
    answer = requests.get(
        f"{fake_workspace.host}/api/2.0/preview/scim/v2/Me",
        headers={"authorization": f"bearer {fake_workspace.admin_token}"},
        timeout=5,
    )
    assert answer.status_code == 200
    assert answer.headers["X-Databricks-Org-Id"] == fake_workspace.workspace.workspace_id


def test_scim_users_lookup_by_user_name(
    fake_workspace: EmulatedWorkspace, workspace_client: WorkspaceClient
) -> None:
    fake_workspace.add_principal("carol@example.com", groups=["risk-approvers"])
    found = list(workspace_client.users.list(filter='userName eq "carol@example.com"'))
    assert [user.user_name for user in found] == ["carol@example.com"]
