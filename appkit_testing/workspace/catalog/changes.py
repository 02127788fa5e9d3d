"""Unity Catalog writes: create, update and delete catalogs, schemas and tables; table summaries.

Objects are created and dropped with SQL on the engine (so a schema made over REST is
the schema statements see), after the privilege checks the real service makes:
``CREATE CATALOG`` on the metastore, ``USE CATALOG`` + ``CREATE SCHEMA`` on the catalog,
ownership or ``MANAGE`` to change or drop. Comments and properties of catalogs and
schemas are kept beside the engine in :class:`CatalogObjects`. Renaming a catalog or a
schema is refused: the engine cannot rename them.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING, Any

from appkit_domain.errors import AppkitError, Conflict, NotFound, PermissionDenied
from appkit_testing.workspace.catalog import browse
from appkit_testing.workspace.catalog.access import InsufficientPrivileges, require
from appkit_testing.workspace.catalog.grants import Securable
from appkit_testing.workspace.catalog.responses import BASE, page_reply
from appkit_testing.workspace.errors import (
    ApiError,
    already_exists,
    invalid_parameter,
    not_found,
    permission_denied,
)
from appkit_testing.workspace.routing import Call, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.identity.backend import Identity
    from appkit_testing.workspace.state import Workspace


def _quoted(*parts: str) -> str:
    for part in parts:
        if not part or "`" in part or "." in part:
            raise invalid_parameter(f"Invalid name '{part}'.")
    return ".".join(f"`{part}`" for part in parts)


def routes(workspace: Workspace) -> list[Route]:
    grants, objects = workspace.grants, workspace.catalog_objects

    def run(statement: str) -> None:
        try:
            workspace.engine.execute(statement, None, principal=workspace.admin_name)
        except Conflict as error:
            raise already_exists(error.message.split("] ", 1)[-1]) from None
        except NotFound as error:
            raise not_found("RESOURCE_DOES_NOT_EXIST", error.message) from None
        except PermissionDenied as error:
            raise permission_denied(error.message.split("] ", 1)[-1]) from None
        except AppkitError as error:
            raise ApiError(400, "INVALID_PARAMETER_VALUE", error.message) from None

    def guard(identity: Identity, privilege: str, securable: Securable) -> None:
        try:
            require(grants, identity, privilege, securable)
        except InsufficientPrivileges as error:
            raise permission_denied(error.message.splitlines()[1].split(" SQLSTATE")[0]) from None

    def owner_of(securable: Securable) -> str:
        return grants.owner(securable) or workspace.admin_name

    def container(securable: Securable, body: dict[str, Any]) -> dict[str, Any]:
        extra = objects.container(securable)
        body.update({k: v for k, v in extra.items() if v not in (None, {})})
        body["owner"] = owner_of(securable)
        return body

    def catalog_reply(name: str) -> dict[str, Any]:
        securable = Securable("CATALOG", name)
        return container(securable, browse.catalog_json(name, owner_of(securable)))

    def schema_reply(catalog: str, schema: str) -> dict[str, Any]:
        securable = Securable("SCHEMA", f"{catalog}.{schema}")
        return container(securable, browse.schema_json(catalog, schema, owner_of(securable)))

    def take_metadata(call: Call, securable: Securable) -> None:
        objects.set_container(
            securable,
            comment=call.arg("comment"),
            properties=call.arg("properties"),
            creator=call.identity.name,
        )

    def may_manage(identity: Identity, securable: Securable) -> None:
        if not (identity.is_admin or grants.holds(identity, "MANAGE", securable)):
            raise permission_denied(
                f"User is not an owner of {securable.display_type} '{securable.name}'."
            )

    def refuse_rename(call: Call, what: str) -> None:
        if call.arg("new_name"):
            raise ApiError(
                400,
                "INVALID_PARAMETER_VALUE",
                f"Renaming a {what} is not supported by the emulated workspace.",
            )

    def create_catalog(call: Call) -> Reply:
        name = str(call.required("name")).lower()
        guard(call.identity, "CREATE_CATALOG", Securable("METASTORE", "metastore"))
        if name in browse.catalog_names(workspace.engine):
            raise already_exists(f"Catalog '{name}' already exists", "CATALOG_ALREADY_EXISTS")
        run(f"CREATE CATALOG {_quoted(name)}")
        securable = Securable("CATALOG", name)
        grants.set_owner(securable, call.identity.name)
        take_metadata(call, securable)
        return catalog_reply(name)

    def update_catalog(call: Call) -> Reply:
        name = call.match["name"].lower()
        if name not in browse.catalog_names(workspace.engine):
            raise not_found("CATALOG_DOES_NOT_EXIST", f"Catalog '{name}' does not exist.")
        securable = Securable("CATALOG", name)
        may_manage(call.identity, securable)
        refuse_rename(call, "catalog")
        change_owner(call, securable)
        objects.update_container(securable, call.arg("comment"), call.arg("properties"))
        return catalog_reply(name)

    def delete_catalog(call: Call) -> Reply:
        name = call.match["name"].lower()
        if name not in browse.catalog_names(workspace.engine):
            raise not_found("CATALOG_DOES_NOT_EXIST", f"Catalog '{name}' does not exist.")
        securable = Securable("CATALOG", name)
        may_manage(call.identity, securable)
        force = " CASCADE" if call.bool_arg("force") else ""
        run(f"DROP CATALOG {_quoted(name)}{force}")
        forget_below(securable)
        return {}

    def create_schema(call: Call) -> Reply:
        catalog = str(call.required("catalog_name")).lower()
        name = str(call.required("name")).lower()
        if catalog not in browse.catalog_names(workspace.engine):
            raise not_found("CATALOG_DOES_NOT_EXIST", f"Catalog '{catalog}' does not exist.")
        guard(call.identity, "CREATE_SCHEMA", Securable("CATALOG", catalog))
        if name in browse.schema_names(workspace.engine, catalog):
            raise already_exists(
                f"Schema '{catalog}.{name}' already exists", "SCHEMA_ALREADY_EXISTS"
            )
        run(f"CREATE SCHEMA {_quoted(catalog, name)}")
        securable = Securable("SCHEMA", f"{catalog}.{name}")
        grants.set_owner(securable, call.identity.name)
        take_metadata(call, securable)
        return schema_reply(catalog, name)

    def schema_of(call: Call) -> tuple[str, str, Securable]:
        parts = call.match["full_name"].lower().split(".")
        if len(parts) != 2 or not all(parts):
            raise invalid_parameter(f"Invalid schema name '{call.match['full_name']}'.")
        browse.require_schema(workspace.engine, parts[0], parts[1])
        return parts[0], parts[1], Securable("SCHEMA", ".".join(parts))

    def update_schema(call: Call) -> Reply:
        catalog, schema, securable = schema_of(call)
        may_manage(call.identity, securable)
        refuse_rename(call, "schema")
        change_owner(call, securable)
        objects.update_container(securable, call.arg("comment"), call.arg("properties"))
        return schema_reply(catalog, schema)

    def delete_schema(call: Call) -> Reply:
        catalog, schema, securable = schema_of(call)
        may_manage(call.identity, securable)
        force = " CASCADE" if call.bool_arg("force") else ""
        if not force and objects.volumes(catalog, schema):
            raise ApiError(
                400, "SCHEMA_NOT_EMPTY", f"Schema '{securable.name}' is not empty; use force."
            )
        run(f"DROP SCHEMA {_quoted(catalog, schema)}{force}")
        forget_below(securable)
        return {}

    def forget_below(securable: Securable) -> None:
        """Drop what a deleted catalog or schema held: grants, metadata, volumes."""
        grants.forget(securable)
        objects.forget_container(securable)
        for name in objects.names_under(securable.name):
            objects.drop_object(name)
            workspace.storage.volumes.delete(
                "/Volumes/" + name.replace(".", "/"), recursive=True, missing_ok=True
            )

    def change_owner(call: Call, securable: Securable) -> None:
        new_owner = call.arg("owner")
        if new_owner:
            grants.set_owner(securable, str(new_owner))

    def table_of(call: Call) -> tuple[str, Securable]:
        parts = call.match["full_name"].lower().split(".")
        if len(parts) != 3 or not all(parts):
            raise invalid_parameter(f"Invalid table name '{call.match['full_name']}'.")
        full_name = ".".join(parts)
        browse.get_table(workspace.engine, full_name)
        return full_name, Securable("TABLE", full_name)

    def update_table(call: Call) -> Reply:
        _full_name, securable = table_of(call)
        may_manage(call.identity, securable)
        change_owner(call, securable)
        return {}

    def delete_table(call: Call) -> Reply:
        full_name, securable = table_of(call)
        may_manage(call.identity, securable)
        kind = (
            "VIEW"
            if browse.get_table(workspace.engine, full_name).table_type == "VIEW"
            else "TABLE"
        )
        run(f"DROP {kind} {_quoted(*full_name.split('.'))}")
        grants.forget(securable)
        return {}

    def table_summaries(call: Call) -> Reply:
        catalog = str(call.required("catalog_name")).lower()
        schemas_like = str(call.query.get("schema_name_pattern") or "*")
        tables_like = str(call.query.get("table_name_pattern") or "*")
        if catalog not in browse.catalog_names(workspace.engine):
            raise not_found("CATALOG_DOES_NOT_EXIST", f"Catalog '{catalog}' does not exist.")
        items = []
        for schema in browse.schema_names(workspace.engine, catalog):
            if not _like(schema, schemas_like):
                continue
            for info in browse.tables(workspace.engine, catalog, schema):
                name = str(info.name).lower()
                full_name = f"{catalog}.{schema}.{name}"
                if _like(name, tables_like) and grants.holds_any(
                    call.identity, Securable("TABLE", full_name)
                ):
                    items.append({"full_name": full_name, "table_type": str(info.table_type)})
        return page_reply(call, "tables", items)

    return [
        Route("POST", f"{BASE}/catalogs", create_catalog, "unity-catalog"),
        Route("PATCH", f"{BASE}/catalogs/{{name}}", update_catalog, "unity-catalog"),
        Route("DELETE", f"{BASE}/catalogs/{{name}}", delete_catalog, "unity-catalog"),
        Route("POST", f"{BASE}/schemas", create_schema, "unity-catalog"),
        Route("PATCH", f"{BASE}/schemas/{{full_name}}", update_schema, "unity-catalog"),
        Route("DELETE", f"{BASE}/schemas/{{full_name}}", delete_schema, "unity-catalog"),
        Route("PATCH", f"{BASE}/tables/{{full_name}}", update_table, "unity-catalog"),
        Route("DELETE", f"{BASE}/tables/{{full_name}}", delete_table, "unity-catalog"),
        Route("GET", f"{BASE}/table-summaries", table_summaries, "unity-catalog"),
    ]


def _like(name: str, pattern: str) -> bool:
    """Unity Catalog name patterns: ``*`` and ``%`` match any run of characters."""
    return fnmatch.fnmatchcase(name, pattern.replace("%", "*").lower())
