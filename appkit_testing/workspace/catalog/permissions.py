"""Unity Catalog grants routes: direct and effective permissions, PATCH changes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appkit_testing.workspace.catalog.grants import Securable
from appkit_testing.workspace.catalog.responses import BASE, page_reply
from appkit_testing.workspace.errors import invalid_parameter
from appkit_testing.workspace.routing import Call, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace


def routes(workspace: Workspace) -> list[Route]:
    grants = workspace.grants

    def securable_of(call: Call) -> Securable:
        securable = Securable.of(call.match["securable_type"], call.match["full_name"])
        workspace.require_securable(securable)
        return securable

    def get_permissions(call: Call) -> Reply:
        securable = securable_of(call)
        assignments = [
            {"principal": principal, "privileges": privileges}
            for principal, privileges in grants.direct(securable, call.query.get("principal"))
        ]
        return page_reply(call, "privilege_assignments", assignments, minimum=150)

    def get_effective(call: Call) -> Reply:
        securable = securable_of(call)
        assignments = []
        for principal, privileges in grants.effective(securable, call.query.get("principal")):
            entries = []
            for privilege, source in privileges:
                entry: dict[str, Any] = {"privilege": privilege}
                if source is not None:
                    entry.update(inherited_from_type=source.type, inherited_from_name=source.name)
                entries.append(entry)
            assignments.append({"principal": principal, "privileges": entries})
        return page_reply(call, "privilege_assignments", assignments, minimum=150)

    def update_permissions(call: Call) -> Reply:
        securable = securable_of(call)
        workspace.require_manage(call.identity, securable)
        changes = call.body.get("changes") or []
        if not isinstance(changes, list):
            raise invalid_parameter("changes must be a list.")
        for change in changes:
            grants.change(
                securable,
                str(change.get("principal") or ""),
                change.get("add") or [],
                change.get("remove") or [],
            )
        if call.bool_arg("omit_permissions_in_response"):
            return {}
        assignments = [
            {"principal": principal, "privileges": privileges}
            for principal, privileges in grants.direct(securable)
        ]
        return {"privilege_assignments": assignments}

    path = "{securable_type}/{full_name}"
    return [
        Route("GET", f"{BASE}/permissions/{path}", get_permissions, "unity-catalog"),
        Route("PATCH", f"{BASE}/permissions/{path}", update_permissions, "unity-catalog"),
        Route("GET", f"{BASE}/effective-permissions/{path}", get_effective, "unity-catalog"),
    ]
