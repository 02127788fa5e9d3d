"""Platform actions for tests: an in-memory implementation and the contract both must honour.

:class:`RecordingPlatformActions` behaves as the Databricks implementation
does (one run per idempotency token, repeatable cancels, deletes that say
``already_absent``) and keeps what was executed in ``runs``, ``cancelled``
and ``deleted`` so an applier's tests can count effects.
:class:`PlatformActionsContract` is the suite: subclass it with a
``platform`` fixture yielding ``(actions, make_job, make_secret)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from appkit_adapters.platform.actions import (
    MAX_IDEMPOTENCY_TOKEN,
    ActionOutcome,
    PlatformActions,
    RunStarted,
)
from appkit_domain.errors import InvalidInput, NotFound


@dataclass
class RecordingPlatformActions(PlatformActions):
    jobs: set[int] = field(default_factory=set)
    secrets: dict[str, set[str]] = field(default_factory=dict)
    runs: list[tuple[int, str, dict[str, str]]] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    _by_token: dict[tuple[int, str], RunStarted] = field(default_factory=dict)

    async def run_job(
        self, job_id: int, *, idempotency_token: str, parameters: Mapping[str, str] | None = None
    ) -> RunStarted:
        if (
            not idempotency_token
            or len(idempotency_token) > MAX_IDEMPOTENCY_TOKEN
            or any(c.isspace() for c in idempotency_token)
        ):
            raise InvalidInput("an idempotency token is 1 to 64 printable characters")
        if job_id not in self.jobs:
            raise NotFound(f"Job {job_id} does not exist.")
        earlier = self._by_token.get((job_id, idempotency_token))
        if earlier is not None:
            return earlier
        started = RunStarted(job_id, 1000 + len(self.runs) + 1, len(self.runs) + 1)
        self.runs.append((job_id, idempotency_token, dict(parameters or {})))
        self._by_token[(job_id, idempotency_token)] = started
        return started

    async def cancel_run(self, run_id: int) -> ActionOutcome:
        if run_id not in {started.run_id for started in self._by_token.values()}:
            raise NotFound(f"Run {run_id} does not exist.")
        self.cancelled.append(run_id)
        return ActionOutcome(f"run:{run_id}")

    async def delete_secret_scope(self, scope: str) -> ActionOutcome:
        target = f"secret-scope:{scope}"
        if self.secrets.pop(scope, None) is None:
            return ActionOutcome(target, already_absent=True)
        self.deleted.append(target)
        return ActionOutcome(target)

    async def delete_secret(self, scope: str, key: str) -> ActionOutcome:
        target = f"secret:{scope}/{key}"
        keys = self.secrets.get(scope)
        if keys is None or key not in keys:
            return ActionOutcome(target, already_absent=True)
        keys.discard(key)
        self.deleted.append(target)
        return ActionOutcome(target)


MakeJob = Callable[[], int]
MakeSecret = Callable[[str, str], None]


class PlatformActionsContract:
    """What every :class:`PlatformActions` does; the fixture gives actions and setup helpers."""

    @pytest.fixture
    def platform(self) -> Any:
        raise NotImplementedError("a subclass provides (actions, make_job, make_secret)")

    async def test_one_run_per_token(self, platform: Any) -> None:
        actions, make_job, _ = platform
        job = make_job()
        first = await actions.run_job(job, idempotency_token="step-1", parameters={"a": "1"})
        assert await actions.run_job(job, idempotency_token="step-1") == first
        other = await actions.run_job(job, idempotency_token="step-2")
        assert other.run_id != first.run_id and first.job_id == job

    async def test_bad_tokens_and_unknown_jobs_are_refused(self, platform: Any) -> None:
        actions, make_job, _ = platform
        with pytest.raises(InvalidInput):
            await actions.run_job(make_job(), idempotency_token="x" * 65)
        with pytest.raises(NotFound):
            await actions.run_job(987654, idempotency_token="t")

    async def test_cancel_repeats_and_unknown_runs_are_not_found(self, platform: Any) -> None:
        actions, make_job, _ = platform
        started = await actions.run_job(make_job(), idempotency_token="c")
        assert (await actions.cancel_run(started.run_id)) == (
            await actions.cancel_run(started.run_id)
        )
        with pytest.raises(NotFound):
            await actions.cancel_run(987654)

    async def test_a_second_delete_says_already_absent(self, platform: Any) -> None:
        actions, _, make_secret = platform
        make_secret("contract-scope", "k")
        assert not (await actions.delete_secret("contract-scope", "k")).already_absent
        assert (await actions.delete_secret("contract-scope", "k")).already_absent
        assert not (await actions.delete_secret_scope("contract-scope")).already_absent
        assert (await actions.delete_secret_scope("contract-scope")).already_absent
