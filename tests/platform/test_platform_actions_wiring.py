"""Each backend's container names the platform actions an applier executes."""

from __future__ import annotations

from pathlib import Path

import pytest

from appkit_adapters.databricks.actions import DatabricksPlatformActions
from appkit_testing.memory_app import memory_container
from appkit_testing.platform_actions import RecordingPlatformActions
from appkit_web.databricks_backend import databricks_container
from tests.platform_world import World, platform_settings
from tests.web.conftest import make_settings


@pytest.mark.asyncio(loop_scope="module")
async def test_the_databricks_backend_executes_as_the_apps_identity(world: World, tmp_path: Path):
    container = databricks_container(platform_settings(tmp_path, world))
    await container.init_resources()
    try:
        actions = await container.platform_actions()
        assert isinstance(actions, DatabricksPlatformActions)
        workspace = await container.backend.workspace()
        assert actions.jobs.http is workspace.http  # the service principal's client
    finally:
        await container.shutdown_resources()


def test_the_memory_backend_counts_what_it_executed(tmp_path: Path):
    actions = memory_container(make_settings(tmp_path)).platform_actions()
    assert isinstance(actions, RecordingPlatformActions) and actions.runs == []
