"""Unity Catalog functions as the workspace's REST API shows them, kept by the SQL engine.

A SQL function (``routine_body: SQL``) lives in the engine: created over REST
it becomes a ``CREATE FUNCTION`` statement run as the caller, so SQL can call
it, and one created in SQL is listed, described and dropped over REST. Other
functions (external bodies) are metadata only, as before.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from appkit_domain.errors import AppkitError, Conflict, NotFound
from appkit_testing.workspace.catalog.grants import Securable
from appkit_testing.workspace.catalog.objects import METASTORE_ID
from appkit_testing.workspace.errors import already_exists, invalid_parameter

if TYPE_CHECKING:
    from appkit_testing.workspace.identity.backend import Identity
    from appkit_testing.workspace.state import Workspace

_TYPE_NAMES = {
    "INT": "INT",
    "INTEGER": "INT",
    "BIGINT": "LONG",
    "LONG": "LONG",
    "SMALLINT": "SHORT",
    "TINYINT": "BYTE",
    "STRING": "STRING",
    "VARCHAR": "STRING",
    "DOUBLE": "DOUBLE",
    "FLOAT": "FLOAT",
    "DECIMAL": "DECIMAL",
    "BOOLEAN": "BOOLEAN",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP",
    "TIMESTAMP_NTZ": "TIMESTAMP_NTZ",
    "BINARY": "BINARY",
    "ARRAY": "ARRAY",
    "MAP": "MAP",
    "STRUCT": "STRUCT",
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def type_name(type_text: str) -> str:
    head = re.split(r"[(<\s]", type_text.strip().upper(), maxsplit=1)[0]
    return _TYPE_NAMES.get(head, "USER_DEFINED_TYPE")


def _parameter(p: Any, position: int) -> dict[str, Any]:
    body = {
        "name": p.name,
        "type_text": p.type_text,
        "type_name": type_name(p.type_text),
        "type_json": "{}",
        "position": position,
        "parameter_mode": "IN",
        "parameter_type": "PARAM",
    }
    if getattr(p, "default", None) is not None:
        body["parameter_default"] = p.default
    return body


def info_of(definition: Any, owner: str) -> dict[str, Any]:
    """The FunctionInfo JSON of an engine function definition."""
    created = definition.created_at
    stamp = int(created.timestamp() * 1000) if created else None
    body: dict[str, Any] = {
        "name": definition.name,
        "catalog_name": definition.catalog,
        "schema_name": definition.schema,
        "full_name": definition.full_name,
        "function_id": definition.function_id,
        "metastore_id": METASTORE_ID,
        "owner": owner,
        "specific_name": definition.name,
        "input_params": {
            "parameters": [_parameter(p, i) for i, p in enumerate(definition.parameters)]
        },
        "routine_body": "SQL",
        "routine_definition": definition.body,
        "parameter_style": "S",
        "is_deterministic": definition.deterministic,
        "is_null_call": False,
        "security_type": "DEFINER",
        "sql_data_access": "READS_SQL_DATA" if definition.is_table else "CONTAINS_SQL",
    }
    if definition.is_table:
        body["data_type"] = "TABLE_TYPE"
        body["full_data_type"] = (
            "TABLE (" + ", ".join(f"{c.name} {c.type_text}" for c in definition.columns) + ")"
        )
        body["return_params"] = {
            "parameters": [_parameter(c, i) for i, c in enumerate(definition.columns)]
        }
    else:
        body["data_type"] = type_name(definition.returns)
        body["full_data_type"] = definition.returns
    if definition.comment:
        body["comment"] = definition.comment
    if stamp is not None:
        body.update(
            created_at=stamp,
            created_by=definition.owner,
            updated_at=stamp,
            updated_by=definition.owner,
        )
    return body


def _checked_name(value: Any, what: str) -> str:
    text = str(value or "")
    if not _NAME.fullmatch(text):
        raise invalid_parameter(f"{what} {text!r} is not a valid name.")
    return text


def create_sql(info: dict[str, Any]) -> str:
    """The ``CREATE FUNCTION`` statement of a FunctionInfo with a SQL body."""
    names = ".".join(
        f"`{_checked_name(info.get(k), k)}`" for k in ("catalog_name", "schema_name", "name")
    )
    params = []
    for p in sorted(
        (info.get("input_params") or {}).get("parameters") or [], key=lambda p: p.get("position", 0)
    ):
        text = f"`{_checked_name(p.get('name'), 'parameter name')}` {p.get('type_text') or p.get('type_name')}"
        if p.get("parameter_default") is not None:
            text += f" DEFAULT {p['parameter_default']}"
        params.append(text)
    if str(info.get("data_type") or "").upper() == "TABLE_TYPE":
        columns = (info.get("return_params") or {}).get("parameters") or []
        returns = (
            "TABLE ("
            + ", ".join(
                f"`{_checked_name(c.get('name'), 'column name')}` {c.get('type_text') or c.get('type_name')}"
                for c in columns
            )
            + ")"
        )
    else:
        returns = str(info.get("full_data_type") or info.get("data_type") or "")
        if not returns:
            raise invalid_parameter("A SQL function needs data_type or full_data_type.")
    definition = str(info.get("routine_definition") or "").strip()
    if not definition:
        raise invalid_parameter("A SQL function needs a routine_definition.")
    deterministic = " DETERMINISTIC" if info.get("is_deterministic") else ""
    comment = ""
    if info.get("comment"):
        comment = (
            " COMMENT '" + str(info["comment"]).replace("\\", "\\\\").replace("'", "\\'") + "'"
        )
    return f"CREATE FUNCTION {names}({', '.join(params)}) RETURNS {returns}{comment}{deterministic} RETURN {definition}"


class Functions:
    """The functions of the workspace: SQL ones in the engine, others as metadata."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    @property
    def _engine(self) -> Any:
        return self.workspace.engine

    def _keeps_functions(self) -> bool:
        return callable(getattr(self._engine, "get_function", None))

    def create(self, info: dict[str, Any], identity: Identity) -> dict[str, Any]:
        body = str(info.get("routine_body") or "SQL").upper()
        if body != "SQL" or not self._keeps_functions():
            return self.workspace.catalog_objects.create_function(info, identity.name)
        try:
            self._engine.execute(create_sql(info), None, principal=identity.name)
        except Conflict:
            raise already_exists(
                f"Function '{info['full_name']}' already exists", "ROUTINE_ALREADY_EXISTS"
            ) from None
        except AppkitError as error:
            raise invalid_parameter(error.message) from None
        return self.get(info["full_name"], identity.name)

    def get(self, full_name: str, owner: str | None = None) -> dict[str, Any]:
        if self._keeps_functions():
            try:
                definition = self._engine.get_function(full_name)
            except NotFound:
                definition = None
            if definition is not None:
                securable = Securable("FUNCTION", definition.full_name)
                grants = self.workspace.grants
                if grants.owner(securable) is None:  # created in SQL: its creator owns it
                    grants.set_owner(
                        securable, owner or definition.owner or self.workspace.admin_name
                    )
                return info_of(definition, grants.owner(securable) or self.workspace.admin_name)
        return self.workspace.catalog_objects.function(full_name)

    def list(self, catalog: str, schema: str) -> list[dict[str, Any]]:
        found = {
            f["full_name"]: f for f in self.workspace.catalog_objects.functions(catalog, schema)
        }
        if self._keeps_functions():
            for definition in self._engine.list_functions(catalog, schema):
                found[definition.full_name] = self.get(definition.full_name)
        return [found[name] for name in sorted(found)]

    def delete(self, full_name: str) -> None:
        if self._keeps_functions():
            try:
                self._engine.get_function(full_name)
            except NotFound:
                pass
            else:
                names = ".".join(f"`{_checked_name(p, 'name')}`" for p in full_name.split("."))
                self._engine.execute(
                    f"DROP FUNCTION {names}", None, principal=self.workspace.admin_name
                )
                return
        self.workspace.catalog_objects.delete_function(full_name)
