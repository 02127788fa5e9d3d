"""MLflow tracking over REST (``/api/2.0/mlflow``): experiments and runs, metrics, params,
tags, run search.

The same API the ``mlflow`` client uses against a Databricks host. Logging
a metric twice records two points (its history), so metric logging is never
retried after it may have landed; params are write-once on the server.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from databricks.sdk.service.ml import Experiment, Run

from appkit_adapters.databricks.http import DatabricksHttp
from appkit_domain.errors import InvalidInput

MLFLOW = "/api/2.0/mlflow"
MAX_RESULTS = 1000


def _id(value: str, what: str) -> str:
    if not isinstance(value, str) or not value or not value.replace("-", "").isalnum():
        raise InvalidInput(f"{what} is letters, digits and dashes")
    return value


class MlflowTracking:
    def __init__(self, http: DatabricksHttp) -> None:
        self.http = http

    async def experiments(self, *, max_results: int = 100) -> list[dict[str, Any]]:
        body = await self.http.post(
            f"{MLFLOW}/experiments/search", {"max_results": max_results}, idempotent=True
        )
        return [Experiment.from_dict(e).as_dict() for e in body.get("experiments") or []]

    async def experiment(self, experiment_id: str) -> dict[str, Any]:
        body = await self.http.get(
            f"{MLFLOW}/experiments/get", {"experiment_id": _id(experiment_id, "experiment id")}
        )
        return Experiment.from_dict(body.get("experiment") or {}).as_dict()

    async def create_experiment(self, name: str) -> str:
        if not name or not name.strip():
            raise InvalidInput("an experiment needs a name")
        body = await self.http.post(f"{MLFLOW}/experiments/create", {"name": name})
        return str(body["experiment_id"])

    async def create_run(self, experiment_id: str, run_name: str | None = None) -> dict[str, Any]:
        request: dict[str, Any] = {
            "experiment_id": _id(experiment_id, "experiment id"),
            "start_time": int(time.time() * 1000),
        }
        if run_name:
            request["run_name"] = run_name
        body = await self.http.post(f"{MLFLOW}/runs/create", request)
        return Run.from_dict(body.get("run") or {}).as_dict()

    async def run(self, run_id: str) -> dict[str, Any]:
        body = await self.http.get(f"{MLFLOW}/runs/get", {"run_id": _id(run_id, "run id")})
        return Run.from_dict(body.get("run") or {}).as_dict()

    async def log_metric(self, run_id: str, key: str, value: float, *, step: int = 0) -> None:
        await self.http.post(
            f"{MLFLOW}/runs/log-metric",
            {
                "run_id": _id(run_id, "run id"),
                "key": key,
                "value": float(value),
                "timestamp": int(time.time() * 1000),
                "step": step,
            },
        )

    async def log_param(self, run_id: str, key: str, value: str) -> None:
        await self.http.post(
            f"{MLFLOW}/runs/log-parameter",
            {"run_id": _id(run_id, "run id"), "key": key, "value": str(value)},
            idempotent=True,
        )

    async def set_tag(self, run_id: str, key: str, value: str) -> None:
        await self.http.post(
            f"{MLFLOW}/runs/set-tag",
            {"run_id": _id(run_id, "run id"), "key": key, "value": str(value)},
            idempotent=True,
        )

    async def search_runs(
        self,
        experiment_ids: Sequence[str],
        *,
        filter_text: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        if not experiment_ids:
            raise InvalidInput("search runs of at least one experiment")
        if not 1 <= max_results <= MAX_RESULTS:
            raise InvalidInput(f"max_results is 1 to {MAX_RESULTS}")
        request: dict[str, Any] = {
            "experiment_ids": [_id(e, "experiment id") for e in experiment_ids],
            "max_results": max_results,
        }
        if filter_text:
            request["filter"] = filter_text
        if order_by:
            request["order_by"] = list(order_by)
        body = await self.http.post(f"{MLFLOW}/runs/search", request, idempotent=True)
        return [Run.from_dict(r).as_dict() for r in body.get("runs") or []]
