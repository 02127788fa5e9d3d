"""Jobs over REST (``/api/2.2/jobs``): list, inspect, create, run, cancel, repair, run output.

Wire objects are read with databricks-sdk's lenient dataclasses and handed
on as plain JSON (``Run.from_dict(...).as_dict()``), so callers see the
documented field names. Jobs has no on-behalf-of scope, so these calls run
as whoever ``http`` authenticates as: in an app, its service principal.
``run_now`` with an ``idempotency_token`` is safe to retry and is sent as an
idempotent call; without one it is never retried after it may have landed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from databricks.sdk.service.jobs import BaseJob, Job, Run, RunOutput

from appkit_adapters.databricks.http import DatabricksHttp, QueryValue
from appkit_adapters.platform.actions import MAX_IDEMPOTENCY_TOKEN, RunStarted
from appkit_domain.errors import InvalidInput, Unavailable

JOBS = "/api/2.2/jobs"
MAX_PAGE = 100
_TOKEN = re.compile(r"^[\x21-\x7e]{1,64}$")


def check_idempotency_token(token: str) -> str:
    """A token Databricks accepts: 1 to 64 printable ASCII characters, no spaces."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise InvalidInput(
            f"an idempotency token is 1 to {MAX_IDEMPOTENCY_TOKEN} printable characters"
        )
    return token


def _positive(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput(f"{name} must be a positive integer")
    return value


class DatabricksJobs:
    """The Jobs API as one identity (``http``'s)."""

    def __init__(self, http: DatabricksHttp) -> None:
        self.http = http

    async def list_jobs(self, *, limit: int = 25, name: str | None = None) -> list[dict[str, Any]]:
        """At most ``limit`` jobs (paging as needed), oldest first, without their task lists."""
        if limit < 1:
            raise InvalidInput("limit must be at least 1")
        query: dict[str, QueryValue] = {"limit": min(limit, MAX_PAGE), "name": name}
        found: list[dict[str, Any]] = []
        seen: set[str] = set()
        while len(found) < limit:
            body = await self.http.get(f"{JOBS}/list", query)
            found += [BaseJob.from_dict(item).as_dict() for item in body.get("jobs") or []]
            token = body.get("next_page_token")
            if not body.get("has_more") or not token:
                break
            if token in seen:
                raise Unavailable("paging jobs did not advance", details={"operation": "jobs/list"})
            seen.add(token)
            query["page_token"] = token
        return found[:limit]

    async def get_job(self, job_id: int) -> dict[str, Any]:
        """The job and its settings; ``NotFound`` when there is none."""
        body = await self.http.get(f"{JOBS}/get", {"job_id": _positive(job_id, "job_id")})
        return Job.from_dict(body).as_dict()

    async def create_job(self, settings: Mapping[str, Any]) -> int:
        """Create a job from its settings (the ``jobs/create`` body); its id."""
        if not settings.get("name"):
            raise InvalidInput("a job definition needs a name")
        body = await self.http.post(f"{JOBS}/create", dict(settings))
        return int(body["job_id"])

    async def run_now(
        self,
        job_id: int,
        *,
        parameters: Mapping[str, str] | None = None,
        idempotency_token: str | None = None,
    ) -> RunStarted:
        """Start a run; with a token, the run that token started already if there is one."""
        request: dict[str, Any] = {"job_id": _positive(job_id, "job_id")}
        if parameters:
            request["job_parameters"] = {str(k): str(v) for k, v in parameters.items()}
        if idempotency_token is not None:
            request["idempotency_token"] = check_idempotency_token(idempotency_token)
        body = await self.http.request_json(
            "POST", f"{JOBS}/run-now", body=request, idempotent=idempotency_token is not None
        )
        return RunStarted(job_id, int(body["run_id"]), body.get("number_in_job"))

    async def get_run(self, run_id: int, *, with_output: bool = True) -> dict[str, Any]:
        """The run with its tasks; with ``with_output`` each ended task carries ``output``.

        Output is looked up per task by the task's own run id, as Databricks requires.
        """
        body = await self.http.get(f"{JOBS}/runs/get", {"run_id": _positive(run_id, "run_id")})
        run = Run.from_dict(body).as_dict()
        if with_output:
            for task in run.get("tasks") or []:
                state = task.get("state") or {}
                if task.get("run_id") and state.get("life_cycle_state") == "TERMINATED":
                    task["output"] = await self.run_output(int(task["run_id"]))
        return run

    async def run_output(self, task_run_id: int) -> dict[str, Any]:
        """A task run's output (notebook result, error, logs), without the run metadata."""
        body = await self.http.get(
            f"{JOBS}/runs/get-output", {"run_id": _positive(task_run_id, "run_id")}
        )
        output = RunOutput.from_dict(body).as_dict()
        output.pop("metadata", None)
        return output

    async def list_runs(self, job_id: int, *, limit: int = 25) -> list[dict[str, Any]]:
        """The job's most recent runs, newest first."""
        query = {"job_id": _positive(job_id, "job_id"), "limit": min(max(limit, 1), 25)}
        body = await self.http.get(f"{JOBS}/runs/list", query)
        return [Run.from_dict(item).as_dict() for item in body.get("runs") or []][:limit]

    async def cancel_run(self, run_id: int) -> None:
        """Ask a run to stop (no change for a run that already ended); safe to repeat."""
        await self.http.post(
            f"{JOBS}/runs/cancel", {"run_id": _positive(run_id, "run_id")}, idempotent=True
        )

    async def cancel_all(self, job_id: int) -> None:
        """Cancel every active run of a job; safe to repeat."""
        await self.http.post(
            f"{JOBS}/runs/cancel-all", {"job_id": _positive(job_id, "job_id")}, idempotent=True
        )

    async def repair_run(
        self,
        run_id: int,
        *,
        rerun_tasks: list[str] | None = None,
        rerun_all_failed_tasks: bool = False,
        parameters: Mapping[str, str] | None = None,
    ) -> int:
        """Re-run tasks of an ended run (named ones, or every failed one); the repair id."""
        if not rerun_tasks and not rerun_all_failed_tasks:
            raise InvalidInput("name the tasks to re-run, or ask for every failed task")
        request: dict[str, Any] = {"run_id": _positive(run_id, "run_id")}
        if rerun_tasks:
            request["rerun_tasks"] = list(rerun_tasks)
        if rerun_all_failed_tasks:
            request["rerun_all_failed_tasks"] = True
        if parameters is not None:
            request["job_parameters"] = {str(k): str(v) for k, v in parameters.items()}
        body = await self.http.post(f"{JOBS}/runs/repair", request)
        return int(body["repair_id"])
