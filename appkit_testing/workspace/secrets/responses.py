"""Secrets API 2.0 routes (``/api/2.0/secrets/...``)."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from appkit_testing.workspace.errors import invalid_parameter, resource_missing
from appkit_testing.workspace.routing import Call, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace


def routes(workspace: Workspace) -> list[Route]:
    backend = workspace.secrets

    def create_scope(call: Call) -> Reply:
        backend_type = call.arg("scope_backend_type") or "DATABRICKS"
        if backend_type != "DATABRICKS":
            raise invalid_parameter("Only DATABRICKS-backed scopes exist in this workspace.")
        backend.create_scope(
            call.required("scope"), call.identity, call.arg("initial_manage_principal")
        )
        return {}

    def delete_scope(call: Call) -> Reply:
        backend.delete_scope(call.required("scope"), call.identity)
        return {}

    def list_scopes(call: Call) -> Reply:
        scopes = [{"name": name, "backend_type": "DATABRICKS"} for name in backend.list_scopes()]
        return {"scopes": scopes} if scopes else {}

    def put_secret(call: Call) -> Reply:
        text, raw = call.arg("string_value"), call.arg("bytes_value")
        if (text is None) == (raw is None):
            raise invalid_parameter("Exactly one of string_value or bytes_value must be given.")
        if text is not None:
            value = str(text).encode()
        else:
            try:
                value = base64.b64decode(str(raw), validate=True)
            except (binascii.Error, ValueError):
                raise invalid_parameter("bytes_value must be base64.") from None
        backend.put(call.required("scope"), call.required("key"), value, call.identity)
        return {}

    def delete_secret(call: Call) -> Reply:
        backend.delete(call.required("scope"), call.required("key"), call.identity)
        return {}

    def list_secrets(call: Call) -> Reply:
        found = backend.keys(call.required("scope"), call.identity)
        secrets = [{"key": key, "last_updated_timestamp": stamp} for key, stamp in found]
        return {"secrets": secrets} if secrets else {}

    def get_secret(call: Call) -> Reply:
        key = call.required("key")
        value = backend.get(call.required("scope"), key, call.identity)
        return {"key": key, "value": base64.b64encode(value).decode()}

    def put_acl(call: Call) -> Reply:
        backend.put_acl(
            call.required("scope"),
            call.required("principal"),
            call.required("permission"),
            call.identity,
        )
        return {}

    def delete_acl(call: Call) -> Reply:
        backend.delete_acl(call.required("scope"), call.required("principal"), call.identity)
        return {}

    def get_acl(call: Call) -> Reply:
        principal = call.required("principal")
        for holder, permission in backend.acls(call.required("scope"), call.identity):
            if holder == principal:
                return {"principal": holder, "permission": permission}
        raise resource_missing(f"ACL for {principal} does not exist.")

    def list_acls(call: Call) -> Reply:
        items = backend.acls(call.required("scope"), call.identity)
        return {"items": [{"principal": p, "permission": perm} for p, perm in items]}

    base = "/api/2.0/secrets"
    return [
        Route("POST", f"{base}/scopes/create", create_scope, "secrets"),
        Route("POST", f"{base}/scopes/delete", delete_scope, "secrets"),
        Route("GET", f"{base}/scopes/list", list_scopes, "secrets"),
        Route("POST", f"{base}/put", put_secret, "secrets"),
        Route("POST", f"{base}/delete", delete_secret, "secrets"),
        Route("GET", f"{base}/list", list_secrets, "secrets"),
        Route("GET", f"{base}/get", get_secret, "secrets"),
        Route("POST", f"{base}/acls/put", put_acl, "secrets"),
        Route("POST", f"{base}/acls/delete", delete_acl, "secrets"),
        Route("GET", f"{base}/acls/get", get_acl, "secrets"),
        Route("GET", f"{base}/acls/list", list_acls, "secrets"),
    ]
