"""Liveness (no I/O) and readiness (warehouse answers, no breaker open)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from appkit_web.deps import provided
from appkit_web.readiness import Readiness

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    checks: dict[str, Any]


@router.get("/health", response_model=Health)
async def health() -> Health:
    """Liveness: answers without touching anything."""
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Ready,
    responses={503: {"model": Ready, "description": "not ready"}},
)
async def ready(readiness: Readiness = Depends(provided("readiness"))) -> Any:
    report = await readiness.check()
    body = Ready(status="ready" if report.ready else "not_ready", checks=report.checks)
    return JSONResponse(body.model_dump(), status_code=200 if report.ready else 503)
