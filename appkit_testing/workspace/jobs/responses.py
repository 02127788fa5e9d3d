"""Jobs routes, served under both ``/api/2.2/jobs`` and ``/api/2.1/jobs``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appkit_domain.errors import InvalidInput
from appkit_domain.pagination import decode_token, encode_token
from appkit_testing.workspace.errors import invalid_parameter
from appkit_testing.workspace.routing import Call, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace

_DEFAULT_LIMIT = 20


def _window(call: Call, total: int) -> tuple[int, int]:
    limit = call.int_arg("limit", _DEFAULT_LIMIT) or _DEFAULT_LIMIT
    if not 1 <= limit <= 100:
        raise invalid_parameter("limit must be between 1 and 100.")
    offset = call.int_arg("offset", 0) or 0
    token = call.arg("page_token")
    if token:
        try:
            (offset_value,) = decode_token(str(token), 1)
        except InvalidInput:
            raise invalid_parameter("Invalid page_token.") from None
        offset = int(offset_value)
    return max(0, min(offset, total)), limit


def _paged(call: Call, key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    offset, limit = _window(call, len(items))
    page = items[offset : offset + limit]
    body: dict[str, Any] = {key: page} if page else {}
    more = offset + limit < len(items)
    body["has_more"] = more
    if more:
        body["next_page_token"] = encode_token([offset + limit])
    if offset > 0:
        body["prev_page_token"] = encode_token([max(0, offset - limit)])
    return body


def routes(workspace: Workspace) -> list[Route]:
    backend = workspace.jobs

    def create(call: Call) -> Reply:
        settings = {k: v for k, v in call.body.items() if k != "access_control_list"}
        return {"job_id": backend.create(settings, call.identity.name)}

    def get(call: Call) -> Reply:
        return backend.job(_job_id(call)).to_json()

    def delete(call: Call) -> Reply:
        backend.delete(_job_id(call))
        return {}

    def list_jobs(call: Call) -> Reply:
        jobs = [job.to_json() for job in backend.jobs(call.arg("name"))]
        if not call.bool_arg("expand_tasks"):
            for job in jobs:
                job["settings"].pop("tasks", None)
        return _paged(call, "jobs", jobs)

    def reset(call: Call) -> Reply:
        settings = call.body.get("new_settings")
        if not isinstance(settings, dict):
            raise invalid_parameter("new_settings is required.")
        backend.replace_settings(_job_id(call), settings)
        return {}

    def update(call: Call) -> Reply:
        changes = call.body.get("new_settings") or {}
        removed = call.body.get("fields_to_remove") or []
        if not isinstance(changes, dict) or not isinstance(removed, list):
            raise invalid_parameter("new_settings must be an object, fields_to_remove a list.")
        backend.update_settings(_job_id(call), changes, [str(name) for name in removed])
        return {}

    def submit(call: Call) -> Reply:
        settings = {k: v for k, v in call.body.items() if k != "access_control_list"}
        if "run_name" in settings:
            settings.setdefault("name", settings["run_name"])
        return {"run_id": backend.submit_once(settings, call.identity.name).run_id}

    def run_now(call: Call) -> Reply:
        parameters = call.arg("job_parameters") or {}
        token = call.arg("idempotency_token")
        run = backend.run_now(
            _job_id(call), call.identity.name, dict(parameters), str(token) if token else None
        )
        return {"run_id": run.run_id, "number_in_job": run.number_in_job}

    def get_run(call: Call) -> Reply:
        return backend.observe(_run_id(call)).to_json(call.base_url)

    def get_run_output(call: Call) -> Reply:
        run, task = backend.task_output(_run_id(call))
        metadata = run.to_json(call.base_url)
        metadata.update(task_key=task.task_key, run_id=task.run_id, state=task.state())
        return {"metadata": metadata, **task.output()}

    def list_runs(call: Call) -> Reply:
        job_id = call.int_arg("job_id")
        found = backend.runs(job_id, call.bool_arg("active_only"), call.bool_arg("completed_only"))
        return _paged(call, "runs", [run.to_json(call.base_url) for run in found])

    def cancel_run(call: Call) -> Reply:
        backend.cancel(_run_id(call))
        return {}

    def cancel_all(call: Call) -> Reply:
        if call.bool_arg("all_queued_runs") and call.arg("job_id") is None:
            for job in backend.jobs():
                backend.cancel_all(job.job_id)
            return {}
        backend.cancel_all(_job_id(call))
        return {}

    def repair(call: Call) -> Reply:
        rerun = call.arg("rerun_tasks") or []
        parameters = call.arg("job_parameters")
        if not isinstance(rerun, list) or (
            parameters is not None and not isinstance(parameters, dict)
        ):
            raise invalid_parameter("rerun_tasks must be a list, job_parameters an object.")
        repair_id = backend.repair(
            _run_id(call),
            [str(key) for key in rerun],
            call.bool_arg("rerun_all_failed_tasks"),
            parameters,
        )
        return {"repair_id": repair_id}

    out: list[Route] = []
    for version in ("2.2", "2.1"):
        base = f"/api/{version}/jobs"
        out += [
            Route("POST", f"{base}/create", create, "jobs"),
            Route("GET", f"{base}/get", get, "jobs"),
            Route("POST", f"{base}/delete", delete, "jobs"),
            Route("GET", f"{base}/list", list_jobs, "jobs"),
            Route("POST", f"{base}/reset", reset, "jobs"),
            Route("POST", f"{base}/update", update, "jobs"),
            Route("POST", f"{base}/run-now", run_now, "jobs"),
            Route("POST", f"{base}/runs/submit", submit, "jobs"),
            Route("GET", f"{base}/runs/get", get_run, "jobs"),
            Route("GET", f"{base}/runs/get-output", get_run_output, "jobs"),
            Route("GET", f"{base}/runs/list", list_runs, "jobs"),
            Route("POST", f"{base}/runs/cancel", cancel_run, "jobs"),
            Route("POST", f"{base}/runs/cancel-all", cancel_all, "jobs"),
            Route("POST", f"{base}/runs/repair", repair, "jobs"),
        ]
    return out


def _job_id(call: Call) -> int:
    value = call.int_arg("job_id")
    if value is None:
        raise invalid_parameter("Missing required field: job_id")
    return value


def _run_id(call: Call) -> int:
    value = call.int_arg("run_id")
    if value is None:
        raise invalid_parameter("Missing required field: run_id")
    return value
