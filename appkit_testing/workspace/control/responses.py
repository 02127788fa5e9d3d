"""``/_emulator/`` routes: stats, statement log, principals, faults, reset (admin token)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appkit_testing.workspace.control.faults import FaultPlan
from appkit_testing.workspace.errors import invalid_parameter
from appkit_testing.workspace.identity.backend import PrincipalSpec
from appkit_testing.workspace.routing import Call, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace


def principal_spec(body: dict[str, object]) -> PrincipalSpec:
    """A principal declaration from JSON (control surface or config file)."""
    kind = str(body.get("kind") or "user")
    name = body.get("name") or body.get("user_name") or body.get("application_id")
    groups = body.get("groups") or []
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise invalid_parameter("groups must be a list of group names.")
    if body.get("admin"):
        groups = [*groups, "admins"]
    token, secret = body.get("token"), body.get("client_secret")
    return PrincipalSpec(
        name=str(name or ""),
        kind="service_principal" if kind == "service_principal" else "user",
        groups=tuple(groups),
        display_name=str(body.get("display_name") or ""),
        token=str(token) if token else None,
        client_secret=str(secret) if secret else None,
    )


def routes(workspace: Workspace) -> list[Route]:
    def stats(call: Call) -> Reply:
        body = workspace.stats.snapshot()
        body["faults_plan"] = workspace.faults.plan.to_json()
        return body

    def statements(call: Call) -> Reply:
        limit = call.int_arg("limit", 100) or 100
        records = workspace.stats.statements()[-limit:]
        return {"statements": [record.to_json() for record in reversed(records)]}

    def add_principal(call: Call) -> Reply:
        spec = principal_spec(call.body)
        if spec.kind == "user" and call.body.get("kind") not in (None, "user"):
            raise invalid_parameter("kind must be 'user' or 'service_principal'.")
        existing = workspace.identity.by_name(spec.name)
        if existing is not None and call.body.get("exists_ok"):
            # declaring someone again (an app restarted against the same emulator): same
            # principal, its groups as declared now, and a fresh token
            for group in set(spec.groups) - existing.groups:
                workspace.identity.set_membership(existing.id, group, True)
            token = workspace.identity.issue_token(spec.name)
        else:
            token = workspace.identity.add(spec)
        identity = workspace.identity.by_name(spec.name)
        assert identity is not None
        body: dict[str, object] = {
            "id": identity.id,
            "name": identity.name,
            "kind": identity.kind,
            "groups": sorted(identity.groups),
            "token": token,
        }
        if identity.kind == "service_principal":
            body.update(client_id=identity.name, client_secret=identity.client_secret)
        return body

    def set_faults(call: Call) -> Reply:
        plan = FaultPlan.from_json(call.body)
        workspace.faults.configure(plan)
        return plan.to_json()

    def reset(call: Call) -> Reply:
        workspace.reset()
        return {}

    base = "/_emulator"
    return [
        Route("GET", f"{base}/stats", stats, "emulator", "admin", False),
        Route("GET", f"{base}/statements", statements, "emulator", "admin", False),
        Route("POST", f"{base}/principals", add_principal, "emulator", "admin", False),
        Route("POST", f"{base}/faults", set_faults, "emulator", "admin", False),
        Route("POST", f"{base}/reset", reset, "emulator", "admin", False),
    ]
