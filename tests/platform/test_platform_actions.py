"""The executing side of governed platform actions, against the emulated workspace.

Each action must be safe to call again after its answer was lost: a run
started with a token is the same run the second time, a cancel of an ended
run changes nothing, and a delete that finds nothing says so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from databricks.sdk.service.jobs import NotebookTask, Task

from appkit_adapters.databricks.actions import DatabricksPlatformActions
from appkit_adapters.databricks.credentials import BearerToken
from appkit_adapters.databricks.http import DatabricksHttp
from appkit_adapters.platform.actions import PlatformActions
from appkit_domain.errors import InvalidInput, NotFound
from tests.platform_world import World

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def actions(world: World) -> AsyncIterator[PlatformActions]:
    http = DatabricksHttp(world.emulator.host, BearerToken(world.emulator.admin_token))
    await http.start()
    yield DatabricksPlatformActions(http)
    await http.close()


def _job(world: World, name: str) -> int:
    task = Task(task_key="only", notebook_task=NotebookTask(notebook_path="/x"))
    return int(world.admin.jobs.create(name=name, tasks=[task]).job_id)


async def test_run_job_with_the_same_token_starts_one_run(actions: PlatformActions, world: World):
    job_id = _job(world, "governed")
    first = await actions.run_job(job_id, idempotency_token="approval-17", parameters={"a": "1"})
    second = await actions.run_job(job_id, idempotency_token="approval-17", parameters={"a": "1"})
    other = await actions.run_job(job_id, idempotency_token="approval-18")
    assert first == second and other.run_id != first.run_id
    assert [r.run_id for r in world.admin.jobs.list_runs(job_id=job_id)] == sorted(
        [first.run_id, other.run_id], reverse=True
    )


async def test_run_job_errors_come_from_the_domain_tree(actions: PlatformActions):
    with pytest.raises(NotFound):
        await actions.run_job(987654, idempotency_token="t")
    with pytest.raises(InvalidInput):
        await actions.run_job(1, idempotency_token="x" * 65)
    with pytest.raises(InvalidInput):
        await actions.run_job(1, idempotency_token="has space")


async def test_cancel_is_repeatable_and_unknown_runs_are_not_found(
    actions: PlatformActions, world: World
):
    started = await actions.run_job(_job(world, "to-cancel"), idempotency_token="c-1")
    assert (await actions.cancel_run(started.run_id)).target == f"run:{started.run_id}"
    assert not (await actions.cancel_run(started.run_id)).already_absent
    with pytest.raises(NotFound):
        await actions.cancel_run(987654)


async def test_deletes_say_when_nothing_was_left_to_delete(actions: PlatformActions, world: World):
    world.admin.secrets.create_scope("doomed")
    world.admin.secrets.put_secret("doomed", "k", string_value="v")
    assert not (await actions.delete_secret("doomed", "k")).already_absent
    assert (await actions.delete_secret("doomed", "k")).already_absent
    deleted = await actions.delete_secret_scope("doomed")
    assert deleted.target == "secret-scope:doomed" and not deleted.already_absent
    assert (await actions.delete_secret_scope("doomed")).already_absent
    with pytest.raises(InvalidInput):
        await actions.delete_secret_scope("not/a/name")
