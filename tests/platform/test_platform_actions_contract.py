"""The in-memory platform actions and the Databricks ones pass the same contract."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from databricks.sdk.service.jobs import NotebookTask, Task

from appkit_adapters.databricks.actions import DatabricksPlatformActions
from appkit_adapters.databricks.credentials import BearerToken
from appkit_adapters.databricks.http import DatabricksHttp
from appkit_domain.errors import InvalidInput
from appkit_testing.platform_actions import PlatformActionsContract, RecordingPlatformActions
from tests.platform_world import World

pytestmark = pytest.mark.asyncio(loop_scope="module")
_scopes = itertools.count(1)


class TestRecordingPlatformActions(PlatformActionsContract):
    @pytest.fixture
    def platform(self) -> Any:
        actions = RecordingPlatformActions()
        jobs = itertools.count(1)

        def make_job() -> int:
            job = next(jobs)
            actions.jobs.add(job)
            return job

        def make_secret(scope: str, key: str) -> None:
            actions.secrets.setdefault(scope, set()).add(key)

        return actions, make_job, make_secret

    async def test_effects_are_counted(self, platform: Any) -> None:
        actions, make_job, _ = platform
        job = make_job()
        for _ in range(3):
            await actions.run_job(job, idempotency_token="once")
        assert len(actions.runs) == 1


class TestDatabricksPlatformActions(PlatformActionsContract):
    @pytest_asyncio.fixture(loop_scope="module")
    async def platform(self, world: World) -> AsyncIterator[Any]:
        http = DatabricksHttp(world.emulator.host, BearerToken(world.emulator.admin_token))
        await http.start()
        task = Task(task_key="t", notebook_task=NotebookTask(notebook_path="/contract"))

        def make_job() -> int:
            return int(world.admin.jobs.create(name="contract", tasks=[task]).job_id)

        def make_secret(scope: str, key: str) -> None:
            world.admin.secrets.create_scope(scope)
            world.admin.secrets.put_secret(scope, key, string_value="v")

        yield DatabricksPlatformActions(http), make_job, make_secret
        await http.close()

    async def test_names_are_checked_before_any_call(self, platform: Any, world: World) -> None:
        actions, make_job, _ = platform
        with pytest.raises(InvalidInput):
            await actions.run_job(make_job(), idempotency_token="has space")
        with pytest.raises(InvalidInput):
            await actions.delete_secret_scope("not/a/name")
        runs = list(world.admin.jobs.list_runs())
        assert all(r.run_id for r in runs)
