"""Jobs and their runs, with a simulated run lifecycle; pure state with ``reset()``.

A run starts ``PENDING`` and moves ``PENDING -> RUNNING -> TERMINATED``
(result ``SUCCESS``) one step every ``polls_per_step`` observations
(``runs/get``, ``runs/list``), so no real time passes and tests stay fast.
Cancelling ends it as ``TERMINATED`` with result ``CANCELED``.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from appkit_testing.workspace.errors import invalid_parameter

LIFECYCLE = ("PENDING", "RUNNING", "TERMINATED")


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


@dataclass
class Run:
    run_id: int
    job: Job
    number_in_job: int
    creator: str
    start_time: int
    job_parameters: dict[str, Any] = field(default_factory=dict)
    step: int = 0
    polls: int = 0
    result_state: str | None = None
    end_time: int = 0

    @property
    def life_cycle_state(self) -> str:
        return LIFECYCLE[self.step]

    def to_json(self, base_url: str) -> dict[str, Any]:
        state: dict[str, Any] = {
            "life_cycle_state": self.life_cycle_state,
            "state_message": "" if self.step < 2 else "Run finished",
            "user_cancelled_or_timedout": self.result_state == "CANCELED",
        }
        status: dict[str, Any] = {"state": self.life_cycle_state}
        if self.result_state is not None:
            state["result_state"] = self.result_state
            status["termination_details"] = {
                "code": "SUCCESS" if self.result_state == "SUCCESS" else "USER_CANCELED",
                "type": "SUCCESS" if self.result_state == "SUCCESS" else "CLIENT_ERROR",
                "message": "",
            }
        tasks = [
            {
                "task_key": task.get("task_key", f"task_{index}"),
                "run_id": self.run_id * 100 + index,
                "state": dict(state),
                "status": dict(status),
                "attempt_number": 0,
            }
            for index, task in enumerate(self.job.settings.get("tasks") or [])
        ]
        duration = max(0, self.end_time - self.start_time) if self.end_time else 0
        return {
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


class JobsBackend:
    def __init__(self, *, clock: Callable[[], float] = time.time, polls_per_step: int = 1) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.polls_per_step = polls_per_step
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._jobs: dict[int, Job] = {}
            self._runs: dict[int, Run] = {}
            self._next_job = 101
            self._next_run = 1001

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def create(self, settings: dict[str, Any], creator: str) -> int:
        with self._lock:
            job = Job(self._next_job, settings, creator, self._now_ms())
            self._jobs[job.job_id] = job
            self._next_job += 1
            return job.job_id

    def job(self, job_id: int) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise invalid_parameter(f"Job {job_id} does not exist.")
            return job

    def replace_settings(self, job_id: int, settings: dict[str, Any]) -> None:
        """``jobs/reset``: the new settings replace the old ones."""
        job = self.job(job_id)
        with self._lock:
            job.settings = dict(settings)

    def update_settings(self, job_id: int, changes: dict[str, Any], removed: list[str]) -> None:
        """``jobs/update``: top-level fields change or go; others stay."""
        job = self.job(job_id)
        with self._lock:
            job.settings.update(changes)
            for name in removed:
                job.settings.pop(name, None)

    def submit_once(self, settings: dict[str, Any], creator: str) -> Run:
        """``runs/submit``: a one-time run of an unsaved job definition."""
        with self._lock:
            job = Job(0, dict(settings), creator, self._now_ms())
            run = Run(self._next_run, job, 1, creator, self._now_ms())
            self._runs[run.run_id] = run
            self._next_run += 1
            return run

    def delete(self, job_id: int) -> None:
        with self._lock:
            if self._jobs.pop(job_id, None) is None:
                raise invalid_parameter(f"Job {job_id} does not exist.")

    def jobs(self, name: str | None = None) -> list[Job]:
        with self._lock:
            found = sorted(self._jobs.values(), key=lambda job: job.job_id)
        if name is not None:
            found = [job for job in found if job.settings.get("name") == name]
        return found

    def run_now(self, job_id: int, creator: str, parameters: dict[str, Any]) -> Run:
        job = self.job(job_id)
        with self._lock:
            number = 1 + sum(1 for run in self._runs.values() if run.job.job_id == job_id)
            run = Run(self._next_run, job, number, creator, self._now_ms(), dict(parameters))
            self._runs[run.run_id] = run
            self._next_run += 1
            return run

    def _advance(self, run: Run) -> None:
        if run.step >= len(LIFECYCLE) - 1:
            return
        run.polls += 1
        if run.polls >= self.polls_per_step:
            run.polls = 0
            run.step += 1
            if run.step == len(LIFECYCLE) - 1:
                run.result_state = "SUCCESS"
                run.end_time = self._now_ms()

    def observe(self, run_id: int) -> Run:
        """The run, after letting its simulated lifecycle advance by one observation."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None:
                raise invalid_parameter(f"Run {run_id} does not exist.")
            self._advance(run)
            return run

    def runs(self, job_id: int | None, active_only: bool, completed_only: bool) -> list[Run]:
        with self._lock:
            found = [r for r in self._runs.values() if job_id is None or r.job.job_id == job_id]
            for run in found:
                self._advance(run)
        if active_only:
            found = [run for run in found if run.step < 2]
        if completed_only:
            found = [run for run in found if run.step == 2]
        return sorted(found, key=lambda run: -run.run_id)

    def cancel(self, run_id: int) -> None:
        with self._lock:
            run = self._runs.get(run_id)
            if run is None:
                raise invalid_parameter(f"Run {run_id} does not exist.")
            if run.step < 2:
                run.step = 2
                run.result_state = "CANCELED"
                run.end_time = self._now_ms()
