"""Unity Catalog over REST: browse objects, table column types, effective privileges.

Lists page until ``next_page_token`` is absent or empty (an empty page may
still carry a token). Wire objects are parsed with databricks-sdk's lenient
dataclasses (``TableInfo.from_dict`` ...). Column types and privileges are
cached with a TTL on the pipeline's clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote

from databricks.sdk.service.catalog import (
    CatalogInfo,
    FunctionInfo,
    SchemaInfo,
    TableInfo,
    VolumeInfo,
)

from appkit_adapters.databricks.http import DatabricksHttp, QueryValue
from appkit_adapters.databricks.ttl_cache import TtlCache
from appkit_domain.errors import NotFound, Unavailable
from appkit_domain.identifiers import TableName, check_identifier
from appkit_domain.ports.governed_table import TableSchemaSource
from appkit_domain.ports.permissions import PermissionChecker
from appkit_domain.principal import Principal

UC = "/api/2.1/unity-catalog"

# Privileges that imply the named one on a securable.
_READ = frozenset({"SELECT", "ALL_PRIVILEGES"})
_WRITE = frozenset({"MODIFY", "ALL_PRIVILEGES"})
_USE_CATALOG = frozenset({"USE_CATALOG", "USE CATALOG", "ALL_PRIVILEGES"})
_USE_SCHEMA = frozenset({"USE_SCHEMA", "USE SCHEMA", "ALL_PRIVILEGES"})
_EVERYONE = "account users"
_SCALAR_TYPES = frozenset(
    {"BOOLEAN", "BYTE", "SHORT", "INT", "LONG", "FLOAT", "DOUBLE", "DATE", "TIMESTAMP",
     "TIMESTAMP_NTZ", "STRING", "BINARY", "DECIMAL", "CHAR", "VARIANT", "INTERVAL", "NULL"}
)  # fmt: skip


def _path_name(full_name: str) -> str:
    return quote(full_name, safe=".")


class UnityCatalog(PermissionChecker, TableSchemaSource):
    """Unity Catalog as one identity (the ``http`` client's).

    ``metadata_ttl`` bounds how long column types are trusted;
    ``privilege_ttl`` how long a privilege answer is. ``page_size`` is sent as
    ``max_results`` where the API pages (0 = the server's default page size).
    """

    def __init__(
        self,
        http: DatabricksHttp,
        *,
        metadata_ttl: float = 300.0,
        privilege_ttl: float = 60.0,
        page_size: int = 0,
    ) -> None:
        self.http = http
        clock = http.pipeline.timer.monotonic
        self._columns: TtlCache[dict[str, str]] = TtlCache(metadata_ttl, clock)
        self._privileges: TtlCache[dict[str, frozenset[str]]] = TtlCache(privilege_ttl, clock)
        self.page_size = page_size

    async def pages(
        self, path: str, key: str, params: Mapping[str, QueryValue] | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Every item under ``key`` across all pages of a list call."""
        query: dict[str, QueryValue] = dict(params or {})
        seen_tokens: set[str] = set()
        while True:
            body = await self.http.get(path, query)
            for item in body.get(key) or []:
                yield item
            token = body.get("next_page_token")
            if not token:
                return
            if token in seen_tokens:
                raise Unavailable(f"paging {path} did not advance", details={"operation": path})
            seen_tokens.add(token)
            query["page_token"] = token

    async def list_catalogs(self) -> list[CatalogInfo]:
        params = {"max_results": self.page_size}
        return [
            CatalogInfo.from_dict(d) async for d in self.pages(f"{UC}/catalogs", "catalogs", params)
        ]

    async def list_schemas(self, catalog: str) -> list[SchemaInfo]:
        params: dict[str, QueryValue] = {
            "catalog_name": check_identifier(catalog, "catalog"),
            "max_results": self.page_size,
        }
        return [
            SchemaInfo.from_dict(d) async for d in self.pages(f"{UC}/schemas", "schemas", params)
        ]

    async def list_tables(
        self, catalog: str, schema: str, *, omit_columns: bool = False
    ) -> list[TableInfo]:
        params: dict[str, QueryValue] = {
            "catalog_name": check_identifier(catalog, "catalog"),
            "schema_name": check_identifier(schema, "schema"),
            "max_results": self.page_size,
        }
        if omit_columns:
            params["omit_columns"] = True
        return [TableInfo.from_dict(d) async for d in self.pages(f"{UC}/tables", "tables", params)]

    async def list_volumes(self, catalog: str, schema: str) -> list[VolumeInfo]:
        params = {
            "catalog_name": check_identifier(catalog, "catalog"),
            "schema_name": check_identifier(schema, "schema"),
        }
        return [
            VolumeInfo.from_dict(d) async for d in self.pages(f"{UC}/volumes", "volumes", params)
        ]

    async def list_functions(self, catalog: str, schema: str) -> list[FunctionInfo]:
        params: dict[str, QueryValue] = {
            "catalog_name": check_identifier(catalog, "catalog"),
            "schema_name": check_identifier(schema, "schema"),
            "max_results": self.page_size,
        }
        found = self.pages(f"{UC}/functions", "functions", params)
        return [FunctionInfo.from_dict(d) async for d in found]

    async def get_table(self, table: TableName | str) -> TableInfo:
        """The table's metadata; ``NotFound`` when it does not exist."""
        name = _table(table)
        return TableInfo.from_dict(await self.http.get(f"{UC}/tables/{_path_name(name.full_name)}"))

    async def column_types(self, table: TableName | str) -> Mapping[str, str]:
        """``{column: type}`` (``"BIGINT"``-style upper case; complex types as their DDL text)."""
        name = _table(table)

        async def load() -> dict[str, str]:
            info = await self.get_table(name)
            return {c.name: _column_type(c) for c in info.columns or [] if c.name}

        return dict(await self._columns.get(name.full_name, load))

    def forget_table(self, table: TableName | str) -> None:
        """Drop cached metadata for a table (after DDL)."""
        self._columns.invalidate(_table(table).full_name)

    async def effective_privileges(
        self, securable_type: str, full_name: str
    ) -> dict[str, frozenset[str]]:
        """``{principal: privileges}`` including inherited ones, for every principal."""

        async def load() -> dict[str, frozenset[str]]:
            path = f"{UC}/effective-permissions/{securable_type.upper()}/{_path_name(full_name)}"
            merged: dict[str, set[str]] = {}
            async for assignment in self.pages(path, "privilege_assignments"):
                principal = assignment.get("principal")
                if not isinstance(principal, str):
                    continue
                bucket = merged.setdefault(principal.lower(), set())
                for privilege in assignment.get("privileges") or []:
                    value = privilege.get("privilege") if isinstance(privilege, dict) else privilege
                    if isinstance(value, str):
                        bucket.add(value.upper())
            return {p: frozenset(v) for p, v in merged.items()}

        return await self._privileges.get((securable_type.upper(), full_name), load)

    async def can_select(self, principal: Principal, table: TableName) -> bool:
        return await self._may(principal, _table(table), _READ)

    async def can_modify(self, principal: Principal, table: TableName) -> bool:
        return await self._may(principal, _table(table), _WRITE)

    async def _may(self, principal: Principal, table: TableName, wanted: frozenset[str]) -> bool:
        """``wanted`` on the table plus USE CATALOG and USE SCHEMA, directly or via a group."""
        names = {principal.id.lower(), principal.email.lower(), _EVERYONE}
        names |= {group.lower() for group in principal.groups}
        names.discard("")
        checks = (
            ("TABLE", table.full_name, wanted),
            ("SCHEMA", f"{table.catalog}.{table.schema}", _USE_SCHEMA),
            ("CATALOG", table.catalog, _USE_CATALOG),
        )
        for securable_type, full_name, accepted in checks:
            try:
                granted = await self.effective_privileges(securable_type, full_name)
            except NotFound:
                return False
            held: set[str] = set()
            for name in names:
                held |= granted.get(name, frozenset())
            if held.isdisjoint(accepted):
                return False
        return True


def _table(table: TableName | str) -> TableName:
    return table if isinstance(table, TableName) else TableName.parse(table)


def _column_type(column: Any) -> str:
    type_name = column.type_name.value if column.type_name is not None else None
    text = column.type_text or type_name or "STRING"
    if type_name in _SCALAR_TYPES or "<" not in text:
        return str(text).upper()
    return str(text)
