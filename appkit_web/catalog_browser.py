"""Unity Catalog browsing on behalf of the calling user, for ``/api/uc/...``.

:class:`UserCatalogs` gives the browser acting as one user: on Databricks,
Unity Catalog called with the user's own token (so their privileges apply;
without a forwarded token browsing is refused rather than done as the app);
on the local engine, its catalog introspection. Items are plain JSON objects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from typing import TYPE_CHECKING, Any, Protocol

from appkit_domain.errors import PermissionDenied, Unavailable
from appkit_domain.identifiers import TableName, check_identifier
from appkit_domain.principal import Principal

if TYPE_CHECKING:  # imported for types only: the local path never loads databricks-sdk
    from appkit_adapters.databricks.catalog import UnityCatalog
    from appkit_adapters.local.engine import LocalEngine

Item = dict[str, Any]


class CatalogBrowser(Protocol):
    async def catalogs(self) -> list[Item]: ...
    async def schemas(self, catalog: str) -> list[Item]: ...
    async def tables(self, catalog: str, schema: str) -> list[Item]: ...
    async def table(self, full_name: str) -> Item: ...
    async def volumes(self, catalog: str, schema: str) -> list[Item]: ...
    async def functions(self, catalog: str, schema: str) -> list[Item]: ...


def _plain(value: Any) -> Any:
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    return value


class UnityCatalogBrowser(CatalogBrowser):
    """Unity Catalog REST as whoever ``catalog`` authenticates as."""

    def __init__(self, catalog: UnityCatalog) -> None:
        self.catalog = catalog

    async def catalogs(self) -> list[Item]:
        return [_plain(c) for c in await self.catalog.list_catalogs()]

    async def schemas(self, catalog: str) -> list[Item]:
        return [_plain(s) for s in await self.catalog.list_schemas(catalog)]

    async def tables(self, catalog: str, schema: str) -> list[Item]:
        return [_plain(t) for t in await self.catalog.list_tables(catalog, schema)]

    async def table(self, full_name: str) -> Item:
        return _plain(await self.catalog.get_table(TableName.parse(full_name)))  # type: ignore[no-any-return]

    async def volumes(self, catalog: str, schema: str) -> list[Item]:
        return [_plain(v) for v in await self.catalog.list_volumes(catalog, schema)]

    async def functions(self, catalog: str, schema: str) -> list[Item]:
        return [_plain(f) for f in await self.catalog.list_functions(catalog, schema)]


def _local_table(info: Any) -> Item:
    return {
        "name": info.name,
        "catalog_name": info.catalog_name,
        "schema_name": info.schema_name,
        "full_name": info.full_name,
        "table_type": info.table_type,
        "data_source_format": info.data_source_format,
        "comment": info.comment,
        "owner": info.owner,
        "tags": dict(getattr(info, "tags", {}) or {}),
        "columns": [
            {"name": c.name, "type_name": c.type_name, "type_text": c.type_text,
             "position": c.position, "comment": c.comment}
            for c in info.columns
        ],
    }  # fmt: skip


class LocalCatalogBrowser(CatalogBrowser):
    """The embedded engine's catalogs; it keeps tables and views only (no volumes, no functions)."""

    def __init__(self, engine: LocalEngine) -> None:
        self.engine = engine

    async def catalogs(self) -> list[Item]:
        names = await asyncio.to_thread(self.engine.list_catalogs)
        return [{"name": name} for name in names]

    async def schemas(self, catalog: str) -> list[Item]:
        names = await asyncio.to_thread(self.engine.list_schemas, catalog)
        return [{"name": name, "catalog_name": catalog, "full_name": f"{catalog}.{name}"}
                for name in names]  # fmt: skip

    async def tables(self, catalog: str, schema: str) -> list[Item]:
        infos = await asyncio.to_thread(self.engine.list_tables, catalog, schema)
        return [_local_table(info) for info in infos]

    async def table(self, full_name: str) -> Item:
        TableName.parse(full_name)
        return _local_table(await asyncio.to_thread(self.engine.get_table, full_name))

    async def volumes(self, catalog: str, schema: str) -> list[Item]:
        await self.schemas(catalog)  # NotFound for an unknown catalog
        check_identifier(schema, "schema")
        return []

    async def functions(self, catalog: str, schema: str) -> list[Item]:
        await self.schemas(catalog)
        check_identifier(schema, "schema")
        return []


BrowserForUser = Callable[[Principal, "str | None"], CatalogBrowser]


class UserCatalogs:
    """The browser acting as the calling user; ``None`` factory: the backend has no catalog."""

    def __init__(self, factory: BrowserForUser | None, backend: str) -> None:
        self._factory = factory
        self.backend = backend

    def for_user(self, principal: Principal, token: str | None) -> CatalogBrowser:
        if self._factory is None:
            raise Unavailable(f"the {self.backend} backend has no Unity Catalog")
        return self._factory(principal, token)


def on_behalf_of(catalog_for_token: Callable[[str], UnityCatalog]) -> BrowserForUser:
    """A factory browsing with the user's forwarded token, refusing callers without one."""

    def browser(principal: Principal, token: str | None) -> CatalogBrowser:
        if not token:
            raise PermissionDenied(
                f"browsing Unity Catalog as {principal.email or principal.id} needs that user's "
                "own token: in Databricks Apps, turn on user authorization; in dev identity, send "
                "X-Forwarded-Access-Token or run with --demo against the emulated workspace"
            )
        return UnityCatalogBrowser(catalog_for_token(token))

    return browser
