"""Apps API routes (``/api/2.0/apps...``), app permissions (``/api/2.0/permissions/apps/...``)
and the deployed apps' output (``/_emulator/apps/{name}/logs``, admin token).

Each app gets its own service principal (named by its client id, with a
secret), whose OAuth M2M credentials its process receives, as in Databricks Apps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appkit_testing.workspace.apps.model import App
from appkit_testing.workspace.apps.runner import CommandProblem, app_yaml_of
from appkit_testing.workspace.errors import ApiError, invalid_parameter, resource_missing
from appkit_testing.workspace.files.backend import normalize
from appkit_testing.workspace.identity.backend import PrincipalSpec
from appkit_testing.workspace.paging import paginate
from appkit_testing.workspace.routing import Call, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace

BASE = "/api/2.0/apps"
PERMISSIONS = "/api/2.0/permissions/apps"


def _acl_json(app: App) -> dict[str, Any]:
    entries = [
        {
            key: principal,
            "all_permissions": [{"permission_level": level, "inherited": False}],
        }
        for (key, principal), level in sorted(app.acl.items())
    ]
    entries.append(
        {
            "user_name": app.creator,
            "all_permissions": [{"permission_level": "CAN_MANAGE", "inherited": False}],
        }
    )
    return {
        "object_id": f"/apps/{app.service_principal_id}",
        "object_type": "apps",
        "access_control_list": entries,
    }


def routes(workspace: Workspace) -> list[Route]:
    backend = workspace.apps
    files = workspace.workspace_files

    def require_warehouses(body: dict[str, Any]) -> None:
        """An app may only bind a SQL warehouse that exists in this workspace."""
        for resource in body.get("resources") or []:
            warehouse = resource.get("sql_warehouse") if isinstance(resource, dict) else None
            if isinstance(warehouse, dict) and warehouse.get("id") not in (
                None,
                workspace.warehouse_id,
            ):
                raise resource_missing(f"SQL warehouse {warehouse['id']} does not exist.")

    def create(call: Call) -> Reply:
        require_warehouses(call.body)
        no_compute = str(call.query.get("no_compute", "false")).lower() == "true"
        app = backend.create(call.body, call.identity, no_compute)
        client_id = app.service_principal_client_id
        if workspace.identity.by_name(client_id) is None:
            workspace.identity.add(
                PrincipalSpec(client_id, "service_principal", display_name=f"app-{app.name}")
            )
        return app.to_json()

    def resolved(app: App, entry: dict[str, Any]) -> str:
        """An ``app.yaml`` ``valueFrom``: what the named resource of the app resolves to."""
        key = entry.get("valueFrom")
        resource = next((r for r in app.resources if r.get("name") == key), None)
        if resource is None:
            raise CommandProblem(f"env {entry.get('name')}: the app has no resource {key!r}")
        for kind, field in (("sql_warehouse", "id"), ("job", "id"), ("serving_endpoint", "name"),
                            ("genie_space", "space_id")):  # fmt: skip
            if isinstance(resource.get(kind), dict) and resource[kind].get(field):
                return str(resource[kind][field])
        secret = resource.get("secret")
        admin = workspace.identity.by_name(workspace.admin_name)
        if isinstance(secret, dict) and admin is not None:
            scope, name = str(secret.get("scope")), str(secret.get("key"))
            return workspace.secrets.get(scope, name, admin).decode("utf-8")
        raise CommandProblem(f"env {entry.get('name')}: resource {key!r} cannot be resolved here")

    def environment_for(base_url: str, sources: dict[str, bytes]) -> Any:
        def build(app: App) -> dict[str, str]:
            principal = workspace.identity.by_name(app.service_principal_client_id)
            variables = {
                "DATABRICKS_APP_NAME": app.name,
                "DATABRICKS_HOST": base_url,
                "DATABRICKS_WORKSPACE_ID": workspace.workspace_id,
            }
            if principal is not None and principal.client_secret:
                variables["DATABRICKS_CLIENT_ID"] = principal.name
                variables["DATABRICKS_CLIENT_SECRET"] = principal.client_secret
            try:
                entries = app_yaml_of(sources).get("env") or []
                for entry in entries if isinstance(entries, list) else []:
                    if isinstance(entry, dict) and entry.get("name"):
                        value = entry.get("value")
                        if value is None and "valueFrom" in entry:
                            value = resolved(app, entry)
                        variables[str(entry["name"])] = "" if value is None else str(value)
            except (CommandProblem, ApiError, ValueError) as problem:
                raise invalid_parameter(
                    f"app.yaml: {getattr(problem, 'message', problem)}"
                ) from None
            return variables

        return build

    def get(call: Call) -> Reply:
        return backend.get(call.match["name"], call.identity).to_json()

    def list_apps(call: Call) -> Reply:
        apps = backend.visible(call.identity)
        size = call.int_arg("page_size")
        page, token = paginate(apps, lambda a: a.name, size, call.arg("page_token"))
        body: dict[str, Any] = {"apps": [a.to_json() for a in page]} if page else {}
        if token:
            body["next_page_token"] = token
        return body

    def update(call: Call) -> Reply:
        require_warehouses(call.body)
        return backend.update(call.match["name"], call.body, call.identity).to_json()

    def delete(call: Call) -> Reply:
        return backend.delete(call.match["name"], call.identity).to_json()

    def start(call: Call) -> Reply:
        return backend.start(call.match["name"], call.identity).to_json()

    def stop(call: Call) -> Reply:
        return backend.stop(call.match["name"], call.identity).to_json()

    def deploy(call: Call) -> Reply:
        name = call.match["name"]
        source = call.arg("source_code_path")
        if not source:
            raise invalid_parameter("source_code_path is required.")
        try:
            folder = files.status(source)
        except ApiError:
            raise invalid_parameter(f"Source code path {source} does not exist.") from None
        if folder.object_type != "DIRECTORY":
            raise invalid_parameter(f"Source code path {source} is not a folder.")
        root = normalize(source).rstrip("/") + "/"
        sources = {obj.path[len(root) :]: obj.content for obj in files.files_under(source)}
        mode = str(call.arg("mode") or "SNAPSHOT")
        environment = environment_for(call.base_url, sources)
        return backend.deploy(name, source, mode, sources, call.identity, environment).to_json(name)

    def logs(call: Call) -> Reply:
        tail = call.int_arg("tail", 200) or 200
        return {"lines": backend.logs(call.match["name"], max(1, min(tail, 2000)))}

    def get_deployment(call: Call) -> Reply:
        name = call.match["name"]
        found = backend.deployment(name, call.match["deployment_id"], call.identity)
        return found.to_json(name)

    def list_deployments(call: Call) -> Reply:
        name = call.match["name"]
        found = [d.to_json(name) for d in backend.deployments(name, call.identity)]
        return {"app_deployments": found} if found else {}

    def get_permissions(call: Call) -> Reply:
        return _acl_json(backend.permissions(call.match["name"], call.identity))

    def set_permissions(call: Call) -> Reply:
        entries = call.body.get("access_control_list") or []
        if not isinstance(entries, list):
            raise invalid_parameter("access_control_list must be a list.")
        replace = call.method == "PUT"
        app = backend.set_permissions(call.match["name"], entries, call.identity, replace=replace)
        return _acl_json(app)

    def permission_levels(call: Call) -> Reply:
        backend.permissions(call.match["name"], call.identity)
        return {
            "permission_levels": [
                {"permission_level": "CAN_USE", "description": "Can use the app"},
                {"permission_level": "CAN_MANAGE", "description": "Can manage the app"},
            ]
        }

    def unknown_update(call: Call) -> Reply:
        raise resource_missing(f"App {call.match['name']} has no update in progress.")

    return [
        Route("POST", BASE, create, "apps"),
        Route("GET", BASE, list_apps, "apps"),
        Route("GET", f"{BASE}/{{name}}", get, "apps"),
        Route("PATCH", f"{BASE}/{{name}}", update, "apps"),
        Route("DELETE", f"{BASE}/{{name}}", delete, "apps"),
        Route("POST", f"{BASE}/{{name}}/start", start, "apps"),
        Route("POST", f"{BASE}/{{name}}/stop", stop, "apps"),
        Route("GET", f"{BASE}/{{name}}/update", unknown_update, "apps"),
        Route("POST", f"{BASE}/{{name}}/deployments", deploy, "apps"),
        Route("GET", f"{BASE}/{{name}}/deployments", list_deployments, "apps"),
        Route("GET", f"{BASE}/{{name}}/deployments/{{deployment_id}}", get_deployment, "apps"),
        Route("GET", f"{PERMISSIONS}/{{name}}", get_permissions, "apps"),
        Route("PUT", f"{PERMISSIONS}/{{name}}", set_permissions, "apps"),
        Route("PATCH", f"{PERMISSIONS}/{{name}}", set_permissions, "apps"),
        Route("GET", f"{PERMISSIONS}/{{name}}/permissionLevels", permission_levels, "apps"),
        Route("GET", "/_emulator/apps/{name}/logs", logs, "emulator", "admin", False),
    ]
