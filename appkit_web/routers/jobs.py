"""``/api/jobs``: list and inspect jobs, run one, cancel a run, read a run with task output.

Jobs has no on-behalf-of scope on Databricks, so every call runs as the
app's service principal and the policy decides who may make it. A run can
carry an idempotency token (the body's ``idempotency_token`` or an
``Idempotency-Key`` header): a client that retries with the same token gets
the same run, never a second one.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Query
from pydantic import Field

from appkit_adapters.platform.calls import ExecutesAs
from appkit_web.platform.gate import PlatformCall
from appkit_web.platform.routes import ERRORS, Platform, platform
from appkit_web.schemas.common import Input, ItemList

router = APIRouter(prefix="/jobs", tags=["jobs"])
SP = ExecutesAs.SERVICE_PRINCIPAL


class RunIn(Input):
    parameters: dict[str, str] = Field(
        default_factory=dict, max_length=100, examples=[{"as_of": "2026-11-30"}]
    )
    idempotency_token: str | None = Field(None, min_length=1, max_length=64)


class RunStartedOut(Input):
    job_id: int
    run_id: int
    number_in_job: int | None = None


@router.get("", response_model=ItemList[dict[str, Any]], responses=ERRORS)
async def list_jobs(
    limit: int = Query(25, ge=1, le=500),
    name: str | None = Query(None, min_length=1, max_length=4096),
    p: Platform = Depends(platform),
) -> ItemList[dict[str, Any]]:
    call = PlatformCall("jobs.list", "jobs", SP, {"limit": limit, "name": name})
    jobs = await p.gate.call(p.context, call, lambda c: c.jobs.list_jobs(limit=limit, name=name))
    return ItemList(items=jobs)


@router.get("/runs/{run_id}", response_model=dict[str, Any], responses=ERRORS)
async def get_run(run_id: int, p: Platform = Depends(platform)) -> dict[str, Any]:
    """The run's state and its tasks, each ended task with its ``output``."""
    call = PlatformCall("jobs.get_run", f"run:{run_id}", SP, {"run_id": run_id})
    run: dict[str, Any] = await p.gate.call(p.context, call, lambda c: c.jobs.get_run(run_id))
    return run


@router.post("/runs/{run_id}/cancel", status_code=202, response_model=dict[str, Any],
             responses=ERRORS)  # fmt: skip
async def cancel_run(run_id: int, p: Platform = Depends(platform)) -> dict[str, Any]:
    """Ask the run to stop (202: it stops asynchronously); a run that ended stays as it is."""
    call = PlatformCall("jobs.cancel_run", f"run:{run_id}", SP, {"run_id": run_id})
    await p.gate.call(p.context, call, lambda c: c.jobs.cancel_run(run_id))
    return {"run_id": run_id, "cancel_requested": True}


@router.get("/{job_id}", response_model=dict[str, Any], responses=ERRORS)
async def get_job(job_id: int, p: Platform = Depends(platform)) -> dict[str, Any]:
    call = PlatformCall("jobs.get", f"job:{job_id}", SP, {"job_id": job_id})
    job: dict[str, Any] = await p.gate.call(p.context, call, lambda c: c.jobs.get_job(job_id))
    return job


@router.post("/{job_id}/run", status_code=202, response_model=RunStartedOut, responses=ERRORS)
async def run_job(
    job_id: int,
    body: RunIn | None = None,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=64),
    p: Platform = Depends(platform),
) -> RunStartedOut:
    """Start a run (202 with its ``run_id``); poll ``GET /api/jobs/runs/{run_id}``."""
    body = body or RunIn(idempotency_token=None)
    token = body.idempotency_token or idempotency_key
    call = PlatformCall(
        "jobs.run", f"job:{job_id}", SP, {"job_id": job_id, "parameters": body.parameters}
    )
    started = await p.gate.call(
        p.context,
        call,
        lambda c: c.jobs.run_now(job_id, parameters=body.parameters, idempotency_token=token),
        describe=lambda s: {"run_id": s.run_id, "idempotent": token is not None},
    )
    return RunStartedOut(
        job_id=started.job_id, run_id=started.run_id, number_in_job=started.number_in_job
    )
