"""MLflow tracking: experiments, runs, their metrics, params and tags; pure state with ``reset()``.

What the ``mlflow`` client and the SDK's experiments API use against a
Databricks host. A run's metric keeps every logged value (its history) and
the latest; params are write-once (logging another value for a key is
``INVALID_PARAMETER_VALUE``, as MLflow says). Deleted experiments and runs
are hidden from searches unless asked for. Run searches take MLflow's filter
grammar: clauses ``metrics.k > 1``, ``params.k = 'v'``, ``tags.k != 'v'``,
``attributes.status = 'FINISHED'`` (``=``, ``!=``, ``<``, ``<=``, ``>``,
``>=``, ``LIKE``, ``ILIKE``) joined by ``AND``.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from appkit_testing.workspace.errors import ApiError, already_exists, invalid_parameter

RUN_STATUSES = frozenset({"RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"})


def does_not_exist(message: str) -> ApiError:
    return ApiError(404, "RESOURCE_DOES_NOT_EXIST", message)


@dataclass
class Metric:
    key: str
    value: float
    timestamp: int
    step: int

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": self.value,
            "timestamp": self.timestamp,
            "step": self.step,
        }


@dataclass
class Experiment:
    experiment_id: str
    name: str
    artifact_location: str
    creation_time: int
    last_update_time: int
    lifecycle_stage: str = "active"
    tags: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "experiment_id": self.experiment_id,
            "name": self.name,
            "artifact_location": self.artifact_location,
            "lifecycle_stage": self.lifecycle_stage,
            "creation_time": self.creation_time,
            "last_update_time": self.last_update_time,
            "tags": [{"key": k, "value": v} for k, v in sorted(self.tags.items())],
        }


@dataclass
class Run:
    run_id: str
    experiment_id: str
    run_name: str
    user_id: str
    start_time: int
    artifact_uri: str
    status: str = "RUNNING"
    end_time: int | None = None
    lifecycle_stage: str = "active"
    metrics: dict[str, list[Metric]] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    def latest(self) -> list[Metric]:
        return [
            max(history, key=lambda m: (m.step, m.timestamp)) for history in self.metrics.values()
        ]

    def info(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "run_id": self.run_id,
            "run_uuid": self.run_id,
            "experiment_id": self.experiment_id,
            "run_name": self.run_name,
            "user_id": self.user_id,
            "status": self.status,
            "start_time": self.start_time,
            "artifact_uri": self.artifact_uri,
            "lifecycle_stage": self.lifecycle_stage,
        }
        if self.end_time is not None:
            body["end_time"] = self.end_time
        return body

    def to_json(self) -> dict[str, Any]:
        return {
            "info": self.info(),
            "data": {
                "metrics": [m.to_json() for m in sorted(self.latest(), key=lambda m: m.key)],
                "params": [{"key": k, "value": v} for k, v in sorted(self.params.items())],
                "tags": [{"key": k, "value": v} for k, v in sorted(self.tags.items())],
            },
            "inputs": {},
        }


_CLAUSE = re.compile(
    r"\s*(metrics|metric|params|param|parameters|tags|tag|attributes|attribute|attr|run)\."
    r"(`[^`]+`|\"[^\"]+\"|[\w.\-]+)\s*(!=|>=|<=|=|>|<|ILIKE|LIKE)\s*('(?:[^']|'')*'|\"[^\"]*\"|-?[\d.]+(?:e-?\d+)?)\s*",
    re.I,
)


def _filter(text: str | None) -> list[tuple[str, str, str, Any]]:
    if not text or not text.strip():
        return []
    clauses = []
    for part in re.split(r"\s+and\s+", text.strip(), flags=re.I):
        found = _CLAUSE.fullmatch(part)
        if found is None:
            raise invalid_parameter(f"Invalid filter: {part!r}.")
        kind, key, op, raw = found.groups()
        key = key.strip('`"')
        value: Any = raw[1:-1].replace("''", "'") if raw[:1] in "'\"" else float(raw)
        clauses.append(
            (kind.lower().rstrip("s").replace("parameter", "param"), key, op.upper(), value)
        )
    return clauses


def _compare(actual: Any, op: str, wanted: Any) -> bool:
    if actual is None:
        return False
    if op in ("LIKE", "ILIKE"):
        pattern = "^" + re.escape(str(wanted)).replace("%", ".*").replace("_", ".") + "$"
        return re.match(pattern, str(actual), re.I if op == "ILIKE" else 0) is not None
    if isinstance(wanted, float):
        try:
            actual = float(actual)
        except (TypeError, ValueError):
            return False
    else:
        actual = str(actual)
    outcome: bool = {
        "=": actual == wanted,
        "!=": actual != wanted,
        ">": actual > wanted,
        ">=": actual >= wanted,
        "<": actual < wanted,
        "<=": actual <= wanted,
    }[op]
    return outcome


def _value(run: Run, kind: str, key: str) -> Any:
    if kind == "metric":
        latest = {m.key: m.value for m in run.latest()}
        return latest.get(key)
    if kind == "param":
        return run.params.get(key)
    if kind == "tag":
        return run.tags.get(key)
    info = run.info()
    return info.get({"run_name": "run_name", "name": "run_name"}.get(key, key))


class MlflowBackend:
    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._experiments: dict[str, Experiment] = {}
            self._runs: dict[str, Run] = {}
            self._ids = itertools.count(1_000_000_001)

    def _now(self) -> int:
        return int(self._clock() * 1000)

    # -- experiments ---------------------------------------------------------------------------

    def create_experiment(
        self, name: Any, artifact_location: Any, tags: Iterable[Any]
    ) -> Experiment:
        text = str(name or "").strip()
        if not text:
            raise invalid_parameter("Experiment name must be given.")
        with self._lock:
            if any(e.name == text for e in self._experiments.values()):
                raise already_exists(f"Experiment '{text}' already exists.")
            experiment_id = str(next(self._ids))
            now = self._now()
            experiment = Experiment(
                experiment_id,
                text,
                str(artifact_location or f"dbfs:/databricks/mlflow-tracking/{experiment_id}"),
                now,
                now,
                tags={str(t["key"]): str(t.get("value", "")) for t in tags or []},
            )
            self._experiments[experiment_id] = experiment
            return experiment

    def experiment(self, experiment_id: Any) -> Experiment:
        with self._lock:
            found = self._experiments.get(str(experiment_id))
        if found is None:
            raise does_not_exist(f"No Experiment with id={experiment_id} exists")
        return found

    def experiment_by_name(self, name: Any) -> Experiment:
        with self._lock:
            found = next((e for e in self._experiments.values() if e.name == str(name)), None)
        if found is None:
            raise does_not_exist(f"Could not find experiment with name {name}")
        return found

    def experiments(self, view_type: str | None, filter_text: str | None) -> list[Experiment]:
        stage = {"DELETED_ONLY": {"deleted"}, "ALL": {"active", "deleted"}}.get(
            str(view_type or "ACTIVE_ONLY").upper(), {"active"}
        )
        wanted = None
        if filter_text:
            found = re.fullmatch(r"\s*name\s+(=|LIKE|ILIKE)\s*'([^']*)'\s*", filter_text, re.I)
            if found is None:
                raise invalid_parameter(f"Invalid experiment filter: {filter_text!r}.")
            wanted = (found.group(1).upper(), found.group(2))
        with self._lock:
            found_all = list(self._experiments.values())
        return [
            e
            for e in sorted(found_all, key=lambda e: e.experiment_id)
            if e.lifecycle_stage in stage and (wanted is None or _compare(e.name, *wanted))
        ]

    def set_experiment_stage(self, experiment_id: Any, stage: str) -> None:
        found = self.experiment(experiment_id)
        with self._lock:
            found.lifecycle_stage = stage
            found.last_update_time = self._now()

    def set_experiment_tag(self, experiment_id: Any, key: Any, value: Any) -> None:
        found = self.experiment(experiment_id)
        with self._lock:
            found.tags[str(key)] = str(value)

    # -- runs ---------------------------------------------------------------------------------

    def create_run(self, body: dict[str, Any], user: str) -> Run:
        experiment = self.experiment(body.get("experiment_id") or "0")
        run_id = uuid.uuid4().hex
        tags = {str(t["key"]): str(t.get("value", "")) for t in body.get("tags") or []}
        name = str(body.get("run_name") or tags.get("mlflow.runName") or f"run-{run_id[:8]}")
        run = Run(
            run_id,
            experiment.experiment_id,
            name,
            str(body.get("user_id") or user),
            int(body.get("start_time") or self._now()),
            f"{experiment.artifact_location}/{run_id}/artifacts",
            tags={**tags, "mlflow.runName": name},
        )
        with self._lock:
            self._runs[run_id] = run
        return run

    def run(self, run_id: Any) -> Run:
        with self._lock:
            found = self._runs.get(str(run_id))
        if found is None:
            raise does_not_exist(f"Run '{run_id}' not found")
        return found

    def update_run(self, run_id: Any, status: Any, end_time: Any, run_name: Any) -> Run:
        run = self.run(run_id)
        with self._lock:
            if status:
                if str(status) not in RUN_STATUSES:
                    raise invalid_parameter(f"Invalid run status {status!r}.")
                run.status = str(status)
            if end_time:
                run.end_time = int(end_time)
            if run_name:
                run.run_name = str(run_name)
                run.tags["mlflow.runName"] = str(run_name)
        return run

    def set_run_stage(self, run_id: Any, stage: str) -> None:
        run = self.run(run_id)
        with self._lock:
            run.lifecycle_stage = stage

    def log(
        self,
        run_id: Any,
        metrics: Iterable[dict[str, Any]] = (),
        params: Iterable[dict[str, Any]] = (),
        tags: Iterable[dict[str, Any]] = (),
    ) -> None:
        run = self.run(run_id)
        if run.lifecycle_stage != "active":
            raise invalid_parameter(f"The run {run.run_id} must be in the 'active' state.")
        with self._lock:
            for param in params:
                key, value = str(param["key"]), str(param.get("value", ""))
                if key in run.params and run.params[key] != value:
                    raise invalid_parameter(
                        f"Changing param values is not allowed. Param with key='{key}' was already"
                        f" logged with value='{run.params[key]}' for run ID='{run.run_id}'."
                    )
                run.params[key] = value
            for metric in metrics:
                try:
                    number = float(metric["value"])
                except (KeyError, TypeError, ValueError):
                    raise invalid_parameter("A metric needs a numeric value.") from None
                entry = Metric(
                    str(metric["key"]),
                    number,
                    int(metric.get("timestamp") or self._now()),
                    int(metric.get("step") or 0),
                )
                run.metrics.setdefault(entry.key, []).append(entry)
            for tag in tags:
                run.tags[str(tag["key"])] = str(tag.get("value", ""))

    def delete_tag(self, run_id: Any, key: Any) -> None:
        run = self.run(run_id)
        with self._lock:
            if run.tags.pop(str(key), None) is None:
                raise does_not_exist(f"No tag with name: {key} in run with id {run_id}")

    def history(self, run_id: Any, key: Any) -> list[Metric]:
        return list(self.run(run_id).metrics.get(str(key), []))

    def search_runs(
        self,
        experiment_ids: Iterable[Any],
        filter_text: str | None,
        view_type: str | None,
        order_by: Iterable[str],
    ) -> list[Run]:
        ids = {str(e) for e in experiment_ids}
        clauses = _filter(filter_text)
        stage = {"DELETED_ONLY": {"deleted"}, "ALL": {"active", "deleted"}}.get(
            str(view_type or "ACTIVE_ONLY").upper(), {"active"}
        )
        with self._lock:
            runs = [r for r in self._runs.values() if r.experiment_id in ids]
        found = [
            r
            for r in runs
            if r.lifecycle_stage in stage
            and all(_compare(_value(r, kind, key), op, value) for kind, key, op, value in clauses)
        ]
        found.sort(key=lambda r: (-r.start_time, r.run_id))
        for spec in reversed(list(order_by)):
            parts = spec.split()
            kind, _, key = parts[0].partition(".")
            descending = len(parts) > 1 and parts[1].upper() == "DESC"
            kind = kind.lower().rstrip("s").replace("attribute", "attr")

            def sort_key(run: Run, kind: str = kind, key: str = key) -> tuple[bool, Any]:
                value = _value(run, "attribute" if kind == "attr" else kind, key)
                return (value is None, value if value is not None else 0)

            found.sort(key=sort_key, reverse=descending)
        return found
