"""``/api/uc``: browse Unity Catalog on behalf of the signed-in user."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_domain.errors import AppkitError
from appkit_domain.identifiers import check_identifier, quote
from appkit_web.catalog_browser import CatalogBrowser, UserCatalogs
from appkit_web.catalog_search import SearchHit, match, ranked, table_kind
from appkit_web.deps import provided, signed_in
from appkit_web.schemas.common import Input, ItemList, problem_responses
from appkit_web.user_warehouses import UserWarehouses

router = APIRouter(prefix="/uc", tags=["unity catalog"])
_ERRORS = problem_responses(400, 401, 403, 404, 429, 503)


def _name() -> Any:
    return Query(..., min_length=1, max_length=255)


async def browser(
    request: Request, catalogs: UserCatalogs = Depends(provided("user_catalogs"))
) -> CatalogBrowser:
    context = await signed_in(request)
    assert context.principal is not None
    return catalogs.for_user(context.principal, context.user_token)


def _items(items: list[dict[str, Any]]) -> ItemList[dict[str, Any]]:
    return ItemList(items=items, next_page_token=None)


@router.get("/catalogs", response_model=ItemList[dict[str, Any]], responses=_ERRORS)
async def catalogs(uc: CatalogBrowser = Depends(browser)) -> ItemList[dict[str, Any]]:
    return _items(await uc.catalogs())


@router.get("/schemas", response_model=ItemList[dict[str, Any]], responses=_ERRORS)
async def schemas(
    catalog: str = _name(), uc: CatalogBrowser = Depends(browser)
) -> ItemList[dict[str, Any]]:
    return _items(await uc.schemas(check_identifier(catalog, "catalog")))


@router.get("/tables", response_model=ItemList[dict[str, Any]], responses=_ERRORS)
async def tables(
    catalog: str = _name(), schema: str = _name(), uc: CatalogBrowser = Depends(browser)
) -> ItemList[dict[str, Any]]:
    return _items(
        await uc.tables(check_identifier(catalog, "catalog"), check_identifier(schema, "schema"))
    )


@router.get("/tables/{full_name}", response_model=dict[str, Any], responses=_ERRORS)
async def table(full_name: str, uc: CatalogBrowser = Depends(browser)) -> dict[str, Any]:
    """One table by ``catalog.schema.table``, with its columns."""
    return await uc.table(full_name)


@router.get("/volumes", response_model=ItemList[dict[str, Any]], responses=_ERRORS)
async def volumes(
    catalog: str = _name(), schema: str = _name(), uc: CatalogBrowser = Depends(browser)
) -> ItemList[dict[str, Any]]:
    return _items(
        await uc.volumes(check_identifier(catalog, "catalog"), check_identifier(schema, "schema"))
    )


@router.get("/functions", response_model=ItemList[dict[str, Any]], responses=_ERRORS)
async def functions(
    catalog: str = _name(), schema: str = _name(), uc: CatalogBrowser = Depends(browser)
) -> ItemList[dict[str, Any]]:
    return _items(
        await uc.functions(check_identifier(catalog, "catalog"), check_identifier(schema, "schema"))
    )


class SearchIn(Input):
    query: str = Field(..., min_length=1, max_length=500, examples=["customer data"])
    max_results: int = Field(10, ge=1, le=1000)
    catalog: str | None = Field(None, max_length=255)
    schema_name: str | None = Field(None, alias="schema", max_length=255)


async def _tags(warehouse: SqlWarehouse | None, catalog: str) -> dict[str, dict[str, str]]:
    """Tags of the catalog's tables read as the caller (best effort: none when refused)."""
    if warehouse is None:
        return {}
    try:
        result = await warehouse.execute(
            "SELECT schema_name, table_name, tag_name, tag_value FROM "  # noqa: S608
            f"{quote(catalog)}.information_schema.table_tags",
            idempotent=True,
        )
    except AppkitError:
        return {}
    found: dict[str, dict[str, str]] = {}
    for schema, table, tag, value in result.rows:
        found.setdefault(f"{catalog}.{schema}.{table}", {})[str(tag)] = str(value or "")
    return found


@router.post("/search", response_model=ItemList[dict[str, Any]], responses=_ERRORS)
async def search(
    body: SearchIn,
    request: Request,
    uc: CatalogBrowser = Depends(browser),
    warehouses: UserWarehouses = Depends(provided("user_warehouses")),
) -> ItemList[dict[str, Any]]:
    """Catalogs, schemas, tables and views whose names, comments, columns or tags hold every
    word of ``query`` (or whose names match it as a glob), best first; as the caller."""
    context = await signed_in(request)
    assert context.principal is not None
    try:
        warehouse: SqlWarehouse | None = warehouses.for_user(context.principal, context.user_token)
    except AppkitError:
        warehouse = None
    hits: list[SearchHit] = []
    for catalog in await uc.catalogs():
        name = str(catalog.get("name") or "")
        if body.catalog and name != body.catalog.lower():
            continue
        if not body.catalog and (hit := match(body.query, "CATALOG", catalog)):
            hits.append(hit)
        tags = await _tags(warehouse, name)
        for schema in await uc.schemas(name):
            schema_name = str(schema.get("name") or "")
            if schema_name == "information_schema" or (
                body.schema_name and schema_name != body.schema_name.lower()
            ):
                continue
            if not body.schema_name and (hit := match(body.query, "SCHEMA", schema)):
                hits.append(hit)
            for table in await uc.tables(name, schema_name):
                found = match(
                    body.query, table_kind(table), table, tags.get(str(table.get("full_name")))
                )
                if found is not None:
                    hits.append(found)
    return _items([hit.as_json() for hit in ranked(hits, body.max_results)])
