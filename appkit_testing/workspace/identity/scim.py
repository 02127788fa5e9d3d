"""SCIM 2.0 (``/api/2.0/preview/scim/v2``): users, service principals and groups.

Lists take ``filter`` (``attribute eq|ne|co|sw value``, value quoted or not),
``startIndex`` (1-based) and ``count``. Creating, replacing (PUT), patching
(``add``/``remove``/``replace`` on ``members``, ``groups``, ``displayName``) and
deleting all change the principals statements run as: group membership is what
``is_account_group_member()`` and Unity Catalog grants to groups see. Groups hold
users and service principals; a group inside a group is refused.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from appkit_testing.workspace.errors import (
    invalid_parameter,
    permission_denied,
    resource_missing,
)
from appkit_testing.workspace.identity.backend import PrincipalSpec
from appkit_testing.workspace.identity.responses import SCIM_LIST, scim_user
from appkit_testing.workspace.routing import Call, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.identity.backend import Identity
    from appkit_testing.workspace.state import Workspace

BASE = "/api/2.0/preview/scim/v2"
SCIM_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
_FILTER = re.compile(r'^\s*([A-Za-z.]+)\s+(eq|ne|co|sw)\s+(?:"([^"]*)"|(\S+))\s*$', re.I)
_MEMBER_PATH = re.compile(r'^(members|groups)\[value eq "?([^"\]]+)"?\]$', re.I)
_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "eq": lambda a, b: a.lower() == b.lower(),
    "ne": lambda a, b: a.lower() != b.lower(),
    "co": lambda a, b: b.lower() in a.lower(),
    "sw": lambda a, b: a.lower().startswith(b.lower()),
}


def _filtered(items: list[dict[str, Any]], expression: str | None) -> list[dict[str, Any]]:
    if not expression:
        return items
    match = _FILTER.match(expression)
    if match is None:
        raise invalid_parameter(f"Invalid filter: {expression}")
    attribute, operator = match.group(1), match.group(2).lower()
    value = match.group(3) if match.group(3) is not None else match.group(4)
    test = _OPERATORS[operator]
    return [item for item in items if test(str(item.get(attribute, "")), value)]


def _page(call: Call, resources: list[dict[str, Any]]) -> Reply:
    found = _filtered(resources, call.query.get("filter"))
    start = max(1, call.int_arg("startIndex", 1) or 1)
    count = call.int_arg("count")
    window = found[start - 1 :] if count is None else found[start - 1 : start - 1 + count]
    return {
        "schemas": [SCIM_LIST],
        "totalResults": len(found),
        "startIndex": start,
        "itemsPerPage": len(window),
        "Resources": window,
    }


def _values(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [
        str(item.get("value")) for item in items if isinstance(item, dict) and item.get("value")
    ]


def routes(workspace: Workspace) -> list[Route]:
    identity = workspace.identity

    def admin_only(call: Call) -> None:
        if not call.identity.is_admin:
            raise permission_denied("Only workspace admins may change users and groups.")

    def group_json(group_id: str) -> dict[str, Any]:
        name = identity.group_name(group_id)
        if name is None:
            raise resource_missing(f"Group with id {group_id} not found.")
        members = [
            {"value": p.id, "display": p.display_name, "$ref": f"Users/{p.id}"}
            for p in identity.members(name)
        ]
        return {
            "schemas": [SCIM_GROUP],
            "id": group_id,
            "displayName": name,
            "members": members,
            "meta": {"resourceType": "Group"},
        }

    def principal(call: Call) -> Identity:
        found = identity.by_id(call.match["id"])
        kind = "service_principal" if "ServicePrincipals" in call.path else "user"
        if found is None or found.kind != kind:
            raise resource_missing(f"User with id {call.match['id']} not found.")
        return found

    def set_members(group: str, wanted: list[str]) -> None:
        for member_id in wanted:
            if identity.group_name(member_id) is not None:
                raise invalid_parameter("Groups inside groups are not supported here.")
        current = {p.id for p in identity.members(group)}
        for member_id in set(wanted) - current:
            identity.set_membership(member_id, group, True)
        for member_id in current - set(wanted):
            identity.set_membership(member_id, group, False)

    def group_names(ids: list[str]) -> list[str]:
        names = []
        for group_id in ids:
            name = identity.group_name(group_id)
            if name is None:
                raise invalid_parameter(f"Group {group_id} does not exist.")
            names.append(name)
        return names

    # -- groups ----------------------------------------------------------------------------------

    def list_groups(call: Call) -> Reply:
        return _page(call, [group_json(group_id) for group_id, _ in identity.groups()])

    def create_group(call: Call) -> Reply:
        admin_only(call)
        group_id = identity.create_group(str(call.required("displayName")))
        name = str(identity.group_name(group_id))
        set_members(name, _values(call.body.get("members") or []))
        return group_json(group_id)

    def get_group(call: Call) -> Reply:
        return group_json(call.match["id"])

    def replace_group(call: Call) -> Reply:
        admin_only(call)
        group_json(call.match["id"])
        if call.body.get("displayName"):
            identity.rename_group(call.match["id"], str(call.body["displayName"]))
        name = str(identity.group_name(call.match["id"]))
        set_members(name, _values(call.body.get("members") or []))
        return group_json(call.match["id"])

    def patch_group(call: Call) -> Reply:
        admin_only(call)
        group_id = call.match["id"]
        group_json(group_id)
        for operation in call.body.get("Operations") or []:
            op = str(operation.get("op", "")).lower()
            path = str(operation.get("path") or "")
            name = str(identity.group_name(group_id))
            value = operation.get("value")
            targeted = _MEMBER_PATH.match(path)
            if path == "displayName" and op == "replace":
                identity.rename_group(group_id, str(value))
            elif path == "members" and op == "add":
                set_members(name, [p.id for p in identity.members(name)] + _values(value))
            elif path == "members" and op == "replace":
                set_members(name, _values(value))
            elif op == "remove" and (targeted or path == "members"):
                gone = [targeted.group(2)] if targeted else _values(value)
                set_members(name, [p.id for p in identity.members(name) if p.id not in gone])
            else:
                raise invalid_parameter(f"Unsupported patch operation {op} {path}.")
        return {}

    def delete_group(call: Call) -> Reply:
        admin_only(call)
        group_json(call.match["id"])
        identity.delete_group(call.match["id"])
        return {}

    # -- users and service principals ------------------------------------------------------------

    def list_principals(call: Call) -> Reply:
        kind = "service_principal" if "ServicePrincipals" in call.path else "user"
        return _page(call, [scim_user(p) for p in identity.all() if p.kind == kind])

    def create_principal(call: Call) -> Reply:
        admin_only(call)
        service = "ServicePrincipals" in call.path
        if service:
            name = str(call.arg("applicationId") or uuid.uuid4())
        else:
            name = str(call.required("userName"))
        groups = group_names(_values(call.body.get("groups") or []))
        spec = PrincipalSpec(
            name,
            "service_principal" if service else "user",
            tuple(groups),
            str(call.arg("displayName") or ""),
        )
        identity.add(spec)
        created = identity.by_name(name)
        assert created is not None
        return scim_user(created)

    def get_principal(call: Call) -> Reply:
        return scim_user(principal(call))

    def change_groups(found: Identity, op: str, ids: list[str]) -> None:
        for group in group_names(ids):
            identity.set_membership(found.id, group, op != "remove")

    def patch_principal(call: Call) -> Reply:
        admin_only(call)
        found = principal(call)
        for operation in call.body.get("Operations") or []:
            op = str(operation.get("op", "")).lower()
            path = str(operation.get("path") or "")
            value = operation.get("value")
            targeted = _MEMBER_PATH.match(path)
            if path == "groups" or (targeted and targeted.group(1).lower() == "groups"):
                change_groups(found, op, [targeted.group(2)] if targeted else _values(value))
            elif path == "displayName" and op == "replace":
                identity.set_display_name(found.id, str(value))
            else:
                raise invalid_parameter(f"Unsupported patch operation {op} {path}.")
        return {}

    def replace_principal(call: Call) -> Reply:
        admin_only(call)
        found = principal(call)
        if call.body.get("displayName"):
            identity.set_display_name(found.id, str(call.body["displayName"]))
        wanted = set(group_names(_values(call.body.get("groups") or [])))
        for group in found.groups - wanted:
            identity.set_membership(found.id, group, False)
        for group in wanted - found.groups:
            identity.set_membership(found.id, group, True)
        updated = identity.by_id(found.id)
        assert updated is not None
        return scim_user(updated)

    def delete_principal(call: Call) -> Reply:
        admin_only(call)
        found = principal(call)
        if found.id == call.identity.id:
            raise invalid_parameter("A principal cannot delete itself.")
        identity.delete_principal(found.id)
        return {}

    out = [
        Route("GET", f"{BASE}/Groups", list_groups, "identity"),
        Route("POST", f"{BASE}/Groups", create_group, "identity"),
        Route("GET", f"{BASE}/Groups/{{id}}", get_group, "identity"),
        Route("PUT", f"{BASE}/Groups/{{id}}", replace_group, "identity"),
        Route("PATCH", f"{BASE}/Groups/{{id}}", patch_group, "identity"),
        Route("DELETE", f"{BASE}/Groups/{{id}}", delete_group, "identity"),
    ]
    for kind in ("Users", "ServicePrincipals"):
        out += [
            Route("GET", f"{BASE}/{kind}", list_principals, "identity"),
            Route("POST", f"{BASE}/{kind}", create_principal, "identity"),
            Route("GET", f"{BASE}/{kind}/{{id}}", get_principal, "identity"),
            Route("PUT", f"{BASE}/{kind}/{{id}}", replace_principal, "identity"),
            Route("PATCH", f"{BASE}/{kind}/{{id}}", patch_principal, "identity"),
            Route("DELETE", f"{BASE}/{kind}/{{id}}", delete_principal, "identity"),
        ]
    return out
