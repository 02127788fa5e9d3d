"""pytest plugin (entry point ``pytest11``): fixtures for testing governed apps offline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from appkit_testing.fakes import ControllableClock, InMemoryAuditStore, SequentialIds

if TYPE_CHECKING:  # the emulator and the SDK load only when their fixtures are used
    from databricks.sdk import WorkspaceClient

    from appkit_testing.workspace import EmulatedWorkspace


@pytest.fixture
def controllable_clock() -> ControllableClock:
    """A clock that stands still until the test advances it."""
    return ControllableClock()


@pytest.fixture
def sequential_ids() -> SequentialIds:
    """Ids ``prefix000001``, ``prefix000002``, ... in order."""
    return SequentialIds()


@pytest.fixture
def in_memory_audit_store() -> InMemoryAuditStore:
    """An empty audit store whose ``rows`` the test can read or tamper with."""
    return InMemoryAuditStore()


@pytest.fixture(scope="session")
def fake_workspace_server() -> Iterator[EmulatedWorkspace]:
    """One emulated Databricks workspace per test session, on a free port.

    Prefer ``fake_workspace``, which also resets it before each test.
    """
    from appkit_testing.workspace import start_in_thread

    server = start_in_thread(port=0)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_workspace(fake_workspace_server: EmulatedWorkspace) -> EmulatedWorkspace:
    """The session's emulated workspace, reset to its initial state for this test.

    ``.host``, ``.admin_token``, ``.warehouse_id``; ``.add_principal(...)``,
    ``.set_faults(...)``, ``.sql(...)`` for setup.
    """
    fake_workspace_server.reset()
    return fake_workspace_server


@pytest.fixture
def workspace_client(fake_workspace: EmulatedWorkspace) -> WorkspaceClient:
    """A ``databricks.sdk.WorkspaceClient`` authenticated as the emulator's admin (PAT)."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.config import Config

    config = Config(
        host=fake_workspace.host,
        token=fake_workspace.admin_token,
        auth_type="pat",
        retry_timeout_seconds=30,
    )
    return WorkspaceClient(config=config)
