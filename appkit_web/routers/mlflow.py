"""``/api/mlflow``: MLflow experiments and run search, as the user."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from appkit_adapters.platform.calls import ExecutesAs
from appkit_web.platform.gate import PlatformCall
from appkit_web.platform.routes import ERRORS, Platform, platform
from appkit_web.schemas.common import Input, ItemList

router = APIRouter(prefix="/mlflow", tags=["mlflow"])
USER = ExecutesAs.USER


class RunSearchIn(Input):
    experiment_ids: list[str] = Field(..., min_length=1, max_length=100)
    filter: str | None = Field(None, max_length=4000, examples=["metrics.acc > 0.9"])
    max_results: int = Field(100, ge=1, le=1000)
    order_by: list[str] = Field(default_factory=list, max_length=10)


@router.get("/experiments", response_model=ItemList[dict[str, Any]], responses=ERRORS)
async def experiments(
    max_results: int = Query(100, ge=1, le=1000), p: Platform = Depends(platform)
) -> ItemList[dict[str, Any]]:
    call = PlatformCall("mlflow.experiments", "mlflow-experiments", USER)
    found = await p.gate.call(
        p.context, call, lambda c: c.mlflow.experiments(max_results=max_results)
    )
    return ItemList(items=found)


@router.post("/runs/search", response_model=ItemList[dict[str, Any]], responses=ERRORS)
async def search_runs(
    body: RunSearchIn, p: Platform = Depends(platform)
) -> ItemList[dict[str, Any]]:
    """Runs of the experiments matching MLflow's ``filter`` grammar, newest first."""
    call = PlatformCall("mlflow.runs", "mlflow-runs", USER, body.model_dump())
    found = await p.gate.call(
        p.context,
        call,
        lambda c: c.mlflow.search_runs(
            body.experiment_ids,
            filter_text=body.filter,
            max_results=body.max_results,
            order_by=body.order_by,
        ),
    )
    return ItemList(items=found)
