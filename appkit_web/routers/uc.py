"""``/api/uc``: browse Unity Catalog on behalf of the signed-in user."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from appkit_domain.identifiers import check_identifier
from appkit_web.catalog_browser import CatalogBrowser, UserCatalogs
from appkit_web.deps import provided, signed_in
from appkit_web.schemas.common import ItemList, problem_responses

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
