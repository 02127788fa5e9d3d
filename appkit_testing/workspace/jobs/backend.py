"""Jobs and their runs, with a simulated run lifecycle; pure state with ``reset()``.

A run starts ``PENDING`` and moves ``PENDING -> RUNNING -> TERMINATED`` one
step every ``polls_per_step`` observations (``runs/get``, ``runs/list``), so
no real time passes and tests stay fast. Cancelling ends it as
``TERMINATED`` with result ``CANCELED``. ``run-now`` with an
``idempotency_token`` already used for that job returns the earlier run, as
Databricks does, so a client may retry it safely. Task outcomes and repair
are described in :mod:`appkit_testing.workspace.jobs.runs`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from appkit_testing.workspace.errors import invalid_parameter
from appkit_testing.workspace.jobs.runs import Job, Run, TaskRun

MAX_IDEMPOTENCY_TOKEN = 64


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
            self._by_task_run: dict[int, tuple[Run, TaskRun]] = {}
            self._by_token: dict[tuple[int, str], int] = {}
            self._next_job = 101
            self._next_run = 1001
            self._next_repair = 501

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def _new_run_id(self) -> int:
        run_id = self._next_run
        self._next_run += 1
        return run_id

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

    def _start(self, job: Job, number: int, creator: str, parameters: dict[str, Any]) -> Run:
        run = Run(self._new_run_id(), job, number, creator, self._now_ms(), dict(parameters))
        for key in job.task_keys():
            task = TaskRun(key, self._new_run_id())
            run.tasks.append(task)
            self._by_task_run[task.run_id] = (run, task)
        self._runs[run.run_id] = run
        return run

    def submit_once(self, settings: dict[str, Any], creator: str) -> Run:
        """``runs/submit``: a one-time run of an unsaved job definition."""
        with self._lock:
            return self._start(Job(0, dict(settings), creator, self._now_ms()), 1, creator, {})

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

    def run_now(
        self,
        job_id: int,
        creator: str,
        parameters: dict[str, Any],
        idempotency_token: str | None = None,
    ) -> Run:
        job = self.job(job_id)
        if idempotency_token is not None and len(idempotency_token) > MAX_IDEMPOTENCY_TOKEN:
            raise invalid_parameter("idempotency_token must be at most 64 characters.")
        with self._lock:
            if idempotency_token:
                earlier = self._by_token.get((job_id, idempotency_token))
                if earlier is not None:
                    return self._runs[earlier]
            number = 1 + sum(1 for run in self._runs.values() if run.job.job_id == job_id)
            run = self._start(job, number, creator, parameters)
            if idempotency_token:
                self._by_token[(job_id, idempotency_token)] = run.run_id
            return run

    def _advance(self, run: Run) -> None:
        if run.finished:
            return
        run.polls += 1
        if run.polls >= self.polls_per_step:
            run.polls = 0
            run.step_forward(self._now_ms())

    def _run(self, run_id: int) -> Run:
        run = self._runs.get(run_id)
        if run is None:
            raise invalid_parameter(f"Run {run_id} does not exist.")
        return run

    def observe(self, run_id: int) -> Run:
        """The run, after letting its simulated lifecycle advance by one observation."""
        with self._lock:
            run = self._run(run_id)
            self._advance(run)
            return run

    def task_output(self, run_id: int) -> tuple[Run, TaskRun]:
        """``runs/get-output``: the task run with this id (and its run), observed once."""
        with self._lock:
            found = self._by_task_run.get(run_id)
            if found is None:
                if run_id in self._runs and len(self._runs[run_id].tasks) > 1:
                    raise invalid_parameter(
                        f"Retrieving the output of run {run_id} is not supported: it has "
                        "several tasks. Ask for the output of each task's run id instead."
                    )
                run = self._run(run_id)
                if not run.tasks:
                    raise invalid_parameter(f"Run {run_id} has no tasks.")
                found = (run, run.tasks[0])
            self._advance(found[0])
            return found

    def runs(self, job_id: int | None, active_only: bool, completed_only: bool) -> list[Run]:
        with self._lock:
            found = [r for r in self._runs.values() if job_id is None or r.job.job_id == job_id]
            for run in found:
                self._advance(run)
        if active_only:
            found = [run for run in found if not run.finished]
        if completed_only:
            found = [run for run in found if run.finished]
        return sorted(found, key=lambda run: -run.run_id)

    def cancel(self, run_id: int) -> None:
        with self._lock:
            self._run(run_id).cancel(self._now_ms())

    def cancel_all(self, job_id: int) -> list[int]:
        """``runs/cancel-all``: cancel every active run of the job; their ids."""
        self.job(job_id)
        with self._lock:
            active = [r for r in self._runs.values() if r.job.job_id == job_id and not r.finished]
            for run in active:
                run.cancel(self._now_ms())
            return [run.run_id for run in active]

    def repair(
        self,
        run_id: int,
        rerun_tasks: list[str],
        rerun_all_failed: bool,
        parameters: dict[str, Any] | None,
    ) -> int:
        """``runs/repair``: re-run tasks of a finished run; the repair id."""
        with self._lock:
            run = self._run(run_id)
            if not run.finished:
                raise invalid_parameter(f"Run {run_id} is still active; only ended runs repair.")
            keys = list(rerun_tasks)
            if rerun_all_failed:
                keys += [t.task_key for t in run.tasks if t.result_state != "SUCCESS"]
            known = {task.task_key for task in run.tasks}
            unknown = sorted(set(keys) - known)
            if unknown:
                raise invalid_parameter(f"Task keys {unknown} are not part of run {run_id}.")
            keys = list(dict.fromkeys(keys))
            if not keys:
                raise invalid_parameter("Nothing to repair: name rerun_tasks or failed tasks.")
            if parameters is not None:
                run.job_parameters = dict(parameters)
            new_ids = [self._new_run_id() for _ in keys]
            repair_id = self._next_repair
            self._next_repair += 1
            by_key = {task.task_key: task for task in run.tasks}
            for key in keys:
                self._by_task_run.pop(by_key[key].run_id, None)
            run.repair(keys, new_ids, repair_id, self._now_ms())
            for key in keys:
                self._by_task_run[by_key[key].run_id] = (run, by_key[key])
            return repair_id
