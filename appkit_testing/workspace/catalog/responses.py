"""Unity Catalog routes (``/api/2.1/unity-catalog/...``): browse, volumes, functions, grants."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from appkit_testing.workspace.catalog import browse
from appkit_testing.workspace.catalog.access import InsufficientPrivileges, require
from appkit_testing.workspace.catalog.functions import Functions
from appkit_testing.workspace.catalog.grants import Securable
from appkit_testing.workspace.engine import object_name
from appkit_testing.workspace.errors import invalid_parameter, not_found, permission_denied
from appkit_testing.workspace.paging import paginate
from appkit_testing.workspace.routing import Call, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.identity.backend import Identity
    from appkit_testing.workspace.state import Workspace

BASE = "/api/2.1/unity-catalog"


def page_reply(call: Call, key: str, items: list[dict[str, Any]], *, minimum: int = 1) -> Reply:
    max_results = call.int_arg("max_results")
    if max_results is not None and 0 < max_results < minimum:
        raise invalid_parameter(f"max_results must be 0 or at least {minimum}.")
    page, token = paginate(
        items,
        lambda item: str(item.get("full_name") or item.get("principal")),
        max_results,
        call.query.get("page_token"),
    )
    body: dict[str, Any] = {key: page}
    if token:
        body["next_page_token"] = token
    return body


def _name_parts(full_name: str, count: int, what: str) -> list[str]:
    parts = full_name.lower().split(".")
    if len(parts) != count or not all(parts):
        raise invalid_parameter(f"Invalid {what} name '{full_name}'.")
    return parts


def routes(workspace: Workspace) -> list[Route]:
    grants, objects = workspace.grants, workspace.catalog_objects
    functions = Functions(workspace)

    def owner(securable: Securable) -> str:
        return grants.owner(securable) or workspace.admin_name

    def described(securable: Securable, body: dict[str, Any]) -> dict[str, Any]:
        """The body with the comment, properties and stamps recorded for the object."""
        extra = objects.container(securable)
        body.update({k: v for k, v in extra.items() if v not in (None, {})})
        return body

    def visible(identity: Identity, securable: Securable) -> bool:
        return grants.holds_any(identity, securable)

    def guard(identity: Identity, privilege: str, securable: Securable) -> None:
        try:
            require(grants, identity, privilege, securable)
        except InsufficientPrivileges as error:
            line = error.message.splitlines()[1].split(" SQLSTATE")[0]
            raise permission_denied(line) from None

    def use(identity: Identity, catalog: str, schema: str | None = None) -> None:
        if not grants.holds(identity, "USE_CATALOG", Securable("CATALOG", catalog)):
            raise permission_denied(f"User does not have USE CATALOG on Catalog '{catalog}'.")
        if schema is not None and not grants.holds(
            identity, "USE_SCHEMA", Securable("SCHEMA", f"{catalog}.{schema}")
        ):
            raise permission_denied(
                f"User does not have USE SCHEMA on Schema '{catalog}.{schema}'."
            )

    def schema_listing(
        call: Call,
        kind: str,
        key: str,
        listed: Callable[[str, str], list[dict[str, Any]]],
    ) -> Reply:
        """The ``kind`` objects of one schema the caller may see, as one page under ``key``."""
        catalog = str(call.required("catalog_name")).lower()
        schema = str(call.required("schema_name")).lower()
        browse.require_schema(workspace.engine, catalog, schema)
        use(call.identity, catalog, schema)
        items = [
            o
            for o in listed(catalog, schema)
            if visible(call.identity, Securable(kind, o["full_name"]))
        ]
        return page_reply(call, key, items)

    def owned(kind: str, created: dict[str, Any], identity: Identity) -> Reply:
        """A just-created object, owned by its creator."""
        grants.set_owner(Securable(kind, created["full_name"]), identity.name)
        return created

    def existing(
        call: Call,
        key: str,
        kind: str,
        found: Callable[[str], dict[str, Any]],
        privilege: str,
    ) -> tuple[str, dict[str, Any]]:
        """The full name (path parameter ``key``) and info of an existing ``kind`` object,
        once the caller is seen to hold ``privilege`` on it."""
        full_name = ".".join(_name_parts(call.match[key], 3, kind.lower()))
        info = found(full_name)
        guard(call.identity, privilege, Securable(kind, full_name))
        return full_name, info

    def dropped(kind: str, full_name: str, delete: Callable[[str], None]) -> Reply:
        """Delete an object and forget its grants."""
        delete(full_name)
        grants.forget(Securable(kind, full_name))
        return {}

    def list_catalogs(call: Call) -> Reply:
        names = browse.catalog_names(workspace.engine)
        items = [
            described(
                Securable("CATALOG", name),
                browse.catalog_json(name, owner(Securable("CATALOG", name))),
            )
            for name in names
            if visible(call.identity, Securable("CATALOG", name))
        ]
        return page_reply(call, "catalogs", items)

    def get_catalog(call: Call) -> Reply:
        name = call.match["name"].lower()
        if name not in browse.catalog_names(workspace.engine):
            raise not_found("CATALOG_DOES_NOT_EXIST", f"Catalog '{name}' does not exist.")
        securable = Securable("CATALOG", name)
        if not visible(call.identity, securable):
            raise permission_denied(f"User does not have USE CATALOG on Catalog '{name}'.")
        return described(securable, browse.catalog_json(name, owner(securable)))

    def list_schemas(call: Call) -> Reply:
        catalog = str(call.required("catalog_name")).lower()
        names = browse.schema_names(workspace.engine, catalog)
        use(call.identity, catalog)
        items = [
            described(
                Securable("SCHEMA", f"{catalog}.{name}"),
                browse.schema_json(catalog, name, owner(Securable("SCHEMA", f"{catalog}.{name}"))),
            )
            for name in names
            if visible(call.identity, Securable("SCHEMA", f"{catalog}.{name}"))
        ]
        return page_reply(call, "schemas", items)

    def get_schema(call: Call) -> Reply:
        catalog, schema = _name_parts(call.match["full_name"], 2, "schema")
        browse.require_schema(workspace.engine, catalog, schema)
        use(call.identity, catalog)
        securable = Securable("SCHEMA", f"{catalog}.{schema}")
        if not visible(call.identity, securable):
            raise permission_denied(f"User does not have USE SCHEMA on Schema '{securable.name}'.")
        return described(securable, browse.schema_json(catalog, schema, owner(securable)))

    def list_tables(call: Call) -> Reply:
        catalog = str(call.required("catalog_name")).lower()
        schema = str(call.required("schema_name")).lower()
        found = browse.tables(workspace.engine, catalog, schema)
        use(call.identity, catalog, schema)
        omit = call.bool_arg("omit_columns")
        items = []
        for info in found:
            full_name = f"{catalog}.{schema}.{object_name(info).lower()}"
            securable = Securable("TABLE", full_name)
            if visible(call.identity, securable):
                items.append(browse.table_json(info, full_name, owner(securable), omit))
        return page_reply(call, "tables", items)

    def get_table(call: Call) -> Reply:
        full_name = ".".join(_name_parts(call.match["full_name"], 3, "table"))
        info = browse.get_table(workspace.engine, full_name)
        catalog, schema, _ = full_name.split(".")
        use(call.identity, catalog, schema)
        securable = Securable("TABLE", full_name)
        if not visible(call.identity, securable):
            raise permission_denied(f"User does not have SELECT on Table '{full_name}'.")
        return browse.table_json(info, full_name, owner(securable))

    def table_exists(call: Call) -> Reply:
        full_name = ".".join(_name_parts(call.match["full_name"], 3, "table"))
        return {"table_exists": browse.table_exists(workspace.engine, full_name)}

    def create_volume(call: Call) -> Reply:
        catalog = str(call.required("catalog_name")).lower()
        schema = str(call.required("schema_name")).lower()
        name = str(call.required("name")).lower()
        browse.require_schema(workspace.engine, catalog, schema)
        guard(call.identity, "CREATE_VOLUME", Securable("SCHEMA", f"{catalog}.{schema}"))
        info = {
            "name": name,
            "catalog_name": catalog,
            "schema_name": schema,
            "full_name": f"{catalog}.{schema}.{name}",
            "volume_type": call.arg("volume_type") or "MANAGED",
        }
        for field in ("comment", "storage_location"):
            if call.arg(field):
                info[field] = call.arg(field)
        return owned("VOLUME", objects.create_volume(info, call.identity.name), call.identity)

    def list_volumes(call: Call) -> Reply:
        return schema_listing(call, "VOLUME", "volumes", objects.volumes)

    def get_volume(call: Call) -> Reply:
        return existing(call, "full_name", "VOLUME", objects.volume, "READ_VOLUME")[1]

    def update_volume(call: Call) -> Reply:
        full_name, _ = existing(call, "full_name", "VOLUME", objects.volume, "MANAGE")
        return objects.update_volume(full_name, call.body, call.identity.name)

    def delete_volume(call: Call) -> Reply:
        full_name, _ = existing(call, "full_name", "VOLUME", objects.volume, "MANAGE")
        return dropped("VOLUME", full_name, objects.delete_volume)

    def create_function(call: Call) -> Reply:
        info = dict(call.body.get("function_info") or {})
        catalog = str(info.get("catalog_name") or "").lower()
        schema = str(info.get("schema_name") or "").lower()
        name = str(info.get("name") or "").lower()
        if not (catalog and schema and name):
            raise invalid_parameter("function_info needs catalog_name, schema_name and name.")
        browse.require_schema(workspace.engine, catalog, schema)
        guard(call.identity, "CREATE_FUNCTION", Securable("SCHEMA", f"{catalog}.{schema}"))
        info.update(
            catalog_name=catalog,
            schema_name=schema,
            name=name,
            full_name=f"{catalog}.{schema}.{name}",
        )
        return owned("FUNCTION", functions.create(info, call.identity), call.identity)

    def list_functions(call: Call) -> Reply:
        return schema_listing(call, "FUNCTION", "functions", functions.list)

    def get_function(call: Call) -> Reply:
        return existing(call, "name", "FUNCTION", functions.get, "EXECUTE")[1]

    def delete_function(call: Call) -> Reply:
        full_name, _ = existing(call, "name", "FUNCTION", functions.get, "MANAGE")
        return dropped("FUNCTION", full_name, functions.delete)

    return [
        Route("GET", f"{BASE}/catalogs", list_catalogs, "unity-catalog"),
        Route("GET", f"{BASE}/catalogs/{{name}}", get_catalog, "unity-catalog"),
        Route("GET", f"{BASE}/schemas", list_schemas, "unity-catalog"),
        Route("GET", f"{BASE}/schemas/{{full_name}}", get_schema, "unity-catalog"),
        Route("GET", f"{BASE}/tables", list_tables, "unity-catalog"),
        Route("GET", f"{BASE}/tables/{{full_name}}", get_table, "unity-catalog"),
        Route("GET", f"{BASE}/tables/{{full_name}}/exists", table_exists, "unity-catalog"),
        Route("POST", f"{BASE}/volumes", create_volume, "unity-catalog"),
        Route("GET", f"{BASE}/volumes", list_volumes, "unity-catalog"),
        Route("GET", f"{BASE}/volumes/{{full_name}}", get_volume, "unity-catalog"),
        Route("PATCH", f"{BASE}/volumes/{{full_name}}", update_volume, "unity-catalog"),
        Route("DELETE", f"{BASE}/volumes/{{full_name}}", delete_volume, "unity-catalog"),
        Route("POST", f"{BASE}/functions", create_function, "unity-catalog"),
        Route("GET", f"{BASE}/functions", list_functions, "unity-catalog"),
        Route("GET", f"{BASE}/functions/{{name}}", get_function, "unity-catalog"),
        Route("DELETE", f"{BASE}/functions/{{name}}", delete_function, "unity-catalog"),
    ]
