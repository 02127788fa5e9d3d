"""``/api/notebooks``: list a workspace folder and export notebooks, as the user."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Depends, Query

from appkit_adapters.platform.calls import ExecutesAs
from appkit_web.platform.gate import PlatformCall
from appkit_web.platform.routes import ERRORS, Platform, platform
from appkit_web.schemas.common import ItemList

router = APIRouter(prefix="/notebooks", tags=["notebooks"])
USER = ExecutesAs.USER
EXPORT_FORMATS = ("SOURCE", "HTML", "JUPYTER", "DBC")  # the adapter's; kept here so that
# building the app on an embedded backend never imports databricks-sdk


@router.get("", response_model=ItemList[dict[str, Any]], responses=ERRORS)
async def list_objects(
    path: str = Query("/", min_length=1, max_length=4000), p: Platform = Depends(platform)
) -> ItemList[dict[str, Any]]:
    """Folders, notebooks and files under ``path``."""
    call = PlatformCall("notebooks.list", f"workspace:{path}", USER)
    return ItemList(items=await p.gate.call(p.context, call, lambda c: c.notebooks.list(path)))


@router.get("/export", response_model=dict[str, Any], responses=ERRORS)
async def export(
    path: str = Query(..., min_length=1, max_length=4000),
    format: str = Query("SOURCE", pattern="^(" + "|".join(EXPORT_FORMATS) + ")$"),
    p: Platform = Depends(platform),
) -> dict[str, Any]:
    """``{"path", "format", "content"}`` with the export base64-encoded."""
    call = PlatformCall("notebooks.export", f"workspace:{path}", USER, details={"format": format})
    data = await p.gate.call(p.context, call, lambda c: c.notebooks.export(path, format))
    return {"path": path, "format": format, "content": base64.b64encode(data).decode()}
