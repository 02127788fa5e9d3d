"""MLflow tracking routes (``/api/2.0/mlflow/...``), as the ``mlflow`` client calls them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appkit_testing.workspace.errors import invalid_parameter
from appkit_testing.workspace.paging import paginate
from appkit_testing.workspace.routing import Call, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace

BASE = "/api/2.0/mlflow"
MAX_RESULTS = 1000


def _page(call: Call, key: str, items: list[dict[str, Any]], sort: Any) -> Reply:
    size = call.int_arg("max_results")
    if size is not None and not 0 < size <= MAX_RESULTS * 50:
        raise invalid_parameter(f"max_results must be between 1 and {MAX_RESULTS * 50}.")
    numbered = [{"_n": f"{i:09d}", **item} for i, item in enumerate(items)]
    page, token = paginate(numbered, sort, size or MAX_RESULTS, call.arg("page_token"))
    body: dict[str, Any] = {key: [{k: v for k, v in item.items() if k != "_n"} for item in page]}
    if token:
        body["next_page_token"] = token
    return body if page else ({"next_page_token": token} if token else {})


def routes(workspace: Workspace) -> list[Route]:
    backend = workspace.mlflow

    def create_experiment(call: Call) -> Reply:
        created = backend.create_experiment(
            call.arg("name"), call.arg("artifact_location"), call.arg("tags") or []
        )
        return {"experiment_id": created.experiment_id}

    def get_experiment(call: Call) -> Reply:
        return {"experiment": backend.experiment(call.required("experiment_id")).to_json()}

    def get_by_name(call: Call) -> Reply:
        return {
            "experiment": backend.experiment_by_name(call.required("experiment_name")).to_json()
        }

    def search_experiments(call: Call) -> Reply:
        found = backend.experiments(call.arg("view_type"), call.arg("filter"))
        return _page(call, "experiments", [e.to_json() for e in found], lambda e: e["_n"])

    def delete_experiment(call: Call) -> Reply:
        backend.set_experiment_stage(call.required("experiment_id"), "deleted")
        return {}

    def restore_experiment(call: Call) -> Reply:
        backend.set_experiment_stage(call.required("experiment_id"), "active")
        return {}

    def set_experiment_tag(call: Call) -> Reply:
        backend.set_experiment_tag(
            call.required("experiment_id"), call.required("key"), call.arg("value", "")
        )
        return {}

    def create_run(call: Call) -> Reply:
        return {"run": backend.create_run(call.body, call.identity.name).to_json()}

    def get_run(call: Call) -> Reply:
        return {"run": backend.run(call.arg("run_id") or call.required("run_uuid")).to_json()}

    def update_run(call: Call) -> Reply:
        run = backend.update_run(
            call.arg("run_id") or call.required("run_uuid"),
            call.arg("status"),
            call.arg("end_time"),
            call.arg("run_name"),
        )
        return {"run_info": run.info()}

    def run_id(call: Call) -> str:
        return str(call.arg("run_id") or call.required("run_uuid"))

    def log_metric(call: Call) -> Reply:
        backend.log(run_id(call), metrics=[call.body])
        return {}

    def log_param(call: Call) -> Reply:
        backend.log(
            run_id(call), params=[{"key": call.required("key"), "value": call.arg("value", "")}]
        )
        return {}

    def set_tag(call: Call) -> Reply:
        backend.log(
            run_id(call), tags=[{"key": call.required("key"), "value": call.arg("value", "")}]
        )
        return {}

    def delete_tag(call: Call) -> Reply:
        backend.delete_tag(call.required("run_id"), call.required("key"))
        return {}

    def log_batch(call: Call) -> Reply:
        backend.log(
            run_id(call),
            metrics=call.arg("metrics") or [],
            params=call.arg("params") or [],
            tags=call.arg("tags") or [],
        )
        return {}

    def log_inputs(call: Call) -> Reply:
        backend.run(run_id(call))  # datasets are accepted and not kept
        return {}

    def search_runs(call: Call) -> Reply:
        ids = call.arg("experiment_ids") or []
        if not isinstance(ids, list) or not ids:
            raise invalid_parameter("experiment_ids must be a non-empty list.")
        found = backend.search_runs(
            ids, call.arg("filter"), call.arg("run_view_type"), call.arg("order_by") or []
        )
        return _page(call, "runs", [r.to_json() for r in found], lambda r: r["_n"])

    def delete_run(call: Call) -> Reply:
        backend.set_run_stage(call.required("run_id"), "deleted")
        return {}

    def restore_run(call: Call) -> Reply:
        backend.set_run_stage(call.required("run_id"), "active")
        return {}

    def metric_history(call: Call) -> Reply:
        found = backend.history(run_id(call), call.required("metric_key"))
        return {"metrics": [m.to_json() for m in found]} if found else {}

    routes_ = [
        ("POST", "experiments/create", create_experiment),
        ("GET", "experiments/get", get_experiment),
        ("GET", "experiments/get-by-name", get_by_name),
        ("POST", "experiments/search", search_experiments),
        ("GET", "experiments/search", search_experiments),
        ("POST", "experiments/delete", delete_experiment),
        ("POST", "experiments/restore", restore_experiment),
        ("POST", "experiments/set-experiment-tag", set_experiment_tag),
        ("POST", "runs/create", create_run),
        ("GET", "runs/get", get_run),
        ("POST", "runs/update", update_run),
        ("POST", "runs/log-metric", log_metric),
        ("POST", "runs/log-parameter", log_param),
        ("POST", "runs/set-tag", set_tag),
        ("POST", "runs/delete-tag", delete_tag),
        ("POST", "runs/log-batch", log_batch),
        ("POST", "runs/log-inputs", log_inputs),
        ("POST", "runs/search", search_runs),
        ("POST", "runs/delete", delete_run),
        ("POST", "runs/restore", restore_run),
        ("GET", "metrics/get-history", metric_history),
    ]
    return [Route(method, f"{BASE}/{path}", handler, "mlflow") for method, path, handler in routes_]
