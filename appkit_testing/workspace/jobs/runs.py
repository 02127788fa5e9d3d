"""A job run and its task runs, with the simulated lifecycle the jobs backend drives.

A run moves ``PENDING -> RUNNING -> TERMINATED`` one step per ``advance``.
Each task has its own run id (as on Databricks, where ``runs/get-output``
takes a task's run id) and ends ``SUCCESS`` unless the run's parameters say
``fail_task=<task_key>`` (comma-separated keys allowed): a deterministic way
for a test to get a failed task and then repair it. A terminated task's
output is its notebook result, ``"<task_key>: ok"`` or the error.

Repair re-runs named tasks (or every failed one) under new task run ids,
with parameters optionally replaced, and records it in ``repair_history``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

LIFECYCLE = ("PENDING", "RUNNING", "TERMINATED")
FAIL_PARAMETER = "fail_task"


@dataclass
class Job:
    job_id: int
    settings: dict[str, Any]
    creator: str
    created_time: int

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "creator_user_name": self.creator,
            "run_as_user_name": self.creator,
            "created_time": self.created_time,
            "settings": copy.deepcopy(self.settings),
        }

    def task_keys(self) -> list[str]:
        tasks = self.settings.get("tasks") or []
        return [str(task.get("task_key") or f"task_{i}") for i, task in enumerate(tasks)]


@dataclass
class TaskRun:
    task_key: str
    run_id: int
    step: int = 0
    result_state: str | None = None
    attempt_number: int = 0

    @property
    def life_cycle_state(self) -> str:
        return LIFECYCLE[self.step]

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            "life_cycle_state": self.life_cycle_state,
            "state_message": "" if self.result_state is None else f"Task {self.result_state}",
            "user_cancelled_or_timedout": self.result_state == "CANCELED",
        }
        if self.result_state is not None:
            state["result_state"] = self.result_state
        return state

    def output(self) -> dict[str, Any]:
        """``runs/get-output`` fields for this task once it ended."""
        if self.result_state == "SUCCESS":
            return {"notebook_output": {"result": f"{self.task_key}: ok", "truncated": False}}
        if self.result_state == "FAILED":
            return {"error": f"{self.task_key}: failed as the run's {FAIL_PARAMETER} asked"}
        return {}


def _termination(result_state: str) -> dict[str, Any]:
    if result_state == "SUCCESS":
        return {"code": "SUCCESS", "type": "SUCCESS", "message": ""}
    if result_state == "CANCELED":
        return {"code": "USER_CANCELED", "type": "CLIENT_ERROR", "message": "Run was cancelled"}
    return {"code": "RUN_EXECUTION_ERROR", "type": "CLIENT_ERROR", "message": "A task failed"}


@dataclass
class Run:
    run_id: int
    job: Job
    number_in_job: int
    creator: str
    start_time: int
    job_parameters: dict[str, Any] = field(default_factory=dict)
    tasks: list[TaskRun] = field(default_factory=list)
    step: int = 0
    polls: int = 0
    result_state: str | None = None
    end_time: int = 0
    repair_history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def life_cycle_state(self) -> str:
        return LIFECYCLE[self.step]

    @property
    def finished(self) -> bool:
        return self.step == len(LIFECYCLE) - 1

    def failing_keys(self) -> set[str]:
        raw = str(self.job_parameters.get(FAIL_PARAMETER) or "")
        return {key.strip() for key in raw.split(",") if key.strip()}

    def step_forward(self, now_ms: int) -> None:
        """One lifecycle step for the run and every task still running."""
        if self.finished:
            return
        self.step += 1
        failing = self.failing_keys()
        for task in self.tasks:
            if task.result_state is None:
                task.step = self.step
                if self.finished:
                    task.result_state = "FAILED" if task.task_key in failing else "SUCCESS"
        if self.finished:
            failed = any(task.result_state == "FAILED" for task in self.tasks)
            self.result_state = "FAILED" if failed else "SUCCESS"
            self.end_time = now_ms

    def cancel(self, now_ms: int) -> None:
        if self.finished:
            return
        self.step = len(LIFECYCLE) - 1
        self.result_state = "CANCELED"
        self.end_time = now_ms
        for task in self.tasks:
            if task.result_state is None:
                task.step = self.step
                task.result_state = "CANCELED"

    def repair(self, keys: list[str], new_ids: list[int], repair_id: int, now_ms: int) -> None:
        """Re-run ``keys`` under ``new_ids``; the run is active again."""
        by_key = {task.task_key: task for task in self.tasks}
        rerun = [by_key[key] for key in keys]
        for task, new_id in zip(rerun, new_ids):
            task.run_id = new_id
            task.step = 0
            task.result_state = None
            task.attempt_number += 1
        self.step, self.polls, self.result_state, self.end_time = 0, 0, None, 0
        self.repair_history.append(
            {
                "type": "REPAIR",
                "id": repair_id,
                "start_time": now_ms,
                "task_run_ids": [task.run_id for task in rerun],
                "state": {"life_cycle_state": "PENDING"},
            }
        )

    def to_json(self, base_url: str) -> dict[str, Any]:
        state: dict[str, Any] = {
            "life_cycle_state": self.life_cycle_state,
            "state_message": "" if not self.finished else "Run finished",
            "user_cancelled_or_timedout": self.result_state == "CANCELED",
        }
        status: dict[str, Any] = {"state": self.life_cycle_state}
        if self.result_state is not None:
            state["result_state"] = self.result_state
            status["termination_details"] = _termination(self.result_state)
        tasks = [
            {
                "task_key": task.task_key,
                "run_id": task.run_id,
                "state": task.state(),
                "status": {"state": task.life_cycle_state},
                "attempt_number": task.attempt_number,
            }
            for task in self.tasks
        ]
        duration = max(0, self.end_time - self.start_time) if self.end_time else 0
        body: dict[str, Any] = {
            "job_id": self.job.job_id,
            "run_id": self.run_id,
            "number_in_job": self.number_in_job,
            "original_attempt_run_id": self.run_id,
            "run_name": self.job.settings.get("name", f"job-{self.job.job_id}"),
            "creator_user_name": self.creator,
            "run_type": "JOB_RUN",
            "trigger": "ONE_TIME",
            "attempt_number": 0,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "setup_duration": 0,
            "execution_duration": duration,
            "cleanup_duration": 0,
            "run_duration": duration,
            "run_page_url": f"{base_url}/jobs/{self.job.job_id}/runs/{self.run_id}",
            "state": state,
            "status": status,
            "tasks": tasks,
            "job_parameters": [
                {"name": name, "value": str(value)} for name, value in self.job_parameters.items()
            ],
        }
        if self.repair_history:
            body["repair_history"] = copy.deepcopy(self.repair_history)
        return body
