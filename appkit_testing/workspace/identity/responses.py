"""Host metadata, OIDC discovery, the client-credentials token endpoint and SCIM identity."""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from appkit_testing.workspace.routing import Call, RawReply, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.identity.backend import Identity
    from appkit_testing.workspace.state import Workspace

SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def scim_user(identity: Identity) -> dict[str, Any]:
    """A SCIM user (or service principal) resource."""
    groups = [
        {"display": group, "value": group, "type": "direct"} for group in sorted(identity.groups)
    ]
    body: dict[str, Any] = {
        "schemas": [SCIM_USER],
        "id": identity.id,
        "userName": identity.name,
        "displayName": identity.display_name,
        "active": True,
        "groups": groups,
    }
    if identity.kind == "user":
        body["emails"] = [{"value": identity.name, "primary": True, "type": "work"}]
    else:
        body["applicationId"] = identity.name
    return body


def _oauth_error(status: int, error: str, description: str) -> RawReply:
    body = json.dumps({"error": error, "error_description": description}).encode()
    return RawReply(body, status=status)


def routes(workspace: Workspace) -> list[Route]:
    identity = workspace.identity

    def host_metadata(call: Call) -> Reply:
        return {
            "oidc_endpoint": f"{call.base_url}/oidc",
            "workspace_id": workspace.workspace_id,
            "account_id": workspace.account_id,
        }

    def oidc_discovery(call: Call) -> Reply:
        return {
            "issuer": f"{call.base_url}/oidc",
            "authorization_endpoint": f"{call.base_url}/oidc/v1/authorize",
            "token_endpoint": f"{call.base_url}/oidc/v1/token",
            "grant_types_supported": ["client_credentials"],
        }

    def token(call: Call) -> Reply:
        client_id = call.form.get("client_id", "")
        client_secret = call.form.get("client_secret", "")
        authorization = call.headers.get("Authorization", "")
        if authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip()).decode()
            except (binascii.Error, UnicodeDecodeError):
                return _oauth_error(401, "invalid_client", "Client authentication failed")
            client_id, _, client_secret = decoded.partition(":")
        if call.form.get("grant_type") != "client_credentials":
            return _oauth_error(
                400, "unsupported_grant_type", "Only client_credentials is supported"
            )
        issued = identity.issue_access_token(client_id, client_secret)
        if issued is None:
            return _oauth_error(401, "invalid_client", "Client authentication failed")
        access_token, expires_in = issued
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": expires_in,
            "scope": call.form.get("scope", "all-apis"),
        }

    def me(call: Call) -> Reply:
        body = json.dumps(scim_user(call.identity)).encode()
        return RawReply(body, headers={"X-Databricks-Org-Id": workspace.workspace_id})

    scim = "/api/2.0/preview/scim/v2"
    return [
        Route("GET", "/.well-known/databricks-config", host_metadata, "identity", "none", False),
        Route(
            "GET",
            "/oidc/.well-known/oauth-authorization-server",
            oidc_discovery,
            "identity",
            "none",
            False,
        ),
        Route("POST", "/oidc/v1/token", token, "identity", "none"),
        Route("GET", f"{scim}/Me", me, "identity"),
    ]
