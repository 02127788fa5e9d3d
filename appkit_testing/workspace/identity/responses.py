"""Host metadata, OIDC discovery, the client-credentials token endpoint and SCIM identity."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import TYPE_CHECKING, Any

from appkit_testing.workspace.errors import invalid_parameter, resource_missing
from appkit_testing.workspace.routing import Call, RawReply, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.identity.backend import Identity
    from appkit_testing.workspace.state import Workspace

SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
_FILTER = re.compile(r'^\s*(userName|applicationId|id)\s+eq\s+"([^"]*)"\s*$', re.IGNORECASE)


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
        return {"oidc_endpoint": f"{call.base_url}/oidc", "workspace_id": workspace.workspace_id}

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

    def list_users(call: Call) -> Reply:
        kind = "service_principal" if "ServicePrincipals" in call.path else "user"
        found = [p for p in identity.all() if p.kind == kind]
        expression = call.query.get("filter")
        if expression:
            match = _FILTER.match(expression)
            if match is None:
                raise invalid_parameter(f"Unsupported filter: {expression}")
            field_name, value = match.group(1).lower(), match.group(2)
            found = [p for p in found if (p.id if field_name == "id" else p.name) == value]
        start = max(1, call.int_arg("startIndex", 1) or 1)
        count = call.int_arg("count", 100)
        window = found[start - 1 : start - 1 + (count if count is not None else len(found))]
        resources = [scim_user(p) for p in window]
        return {
            "schemas": [SCIM_LIST],
            "totalResults": len(found),
            "startIndex": start,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }

    def get_user(call: Call) -> Reply:
        found = identity.by_id(call.match["id"])
        if found is None:
            raise resource_missing(f"User {call.match['id']} does not exist.")
        return scim_user(found)

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
        Route("GET", f"{scim}/Users", list_users, "identity"),
        Route("GET", f"{scim}/Users/{{id}}", get_user, "identity"),
        Route("GET", f"{scim}/ServicePrincipals", list_users, "identity"),
        Route("GET", f"{scim}/ServicePrincipals/{{id}}", get_user, "identity"),
    ]
