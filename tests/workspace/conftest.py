"""Helpers for the emulated-workspace tests: clients for extra principals."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.config import Config

from appkit_testing.workspace import EmulatedWorkspace, start_in_thread

ClientFor = Callable[..., WorkspaceClient]


@pytest.fixture
def client_for(fake_workspace: EmulatedWorkspace) -> ClientFor:
    """``client_for("bob@example.com", groups=[...])``: a new principal and a PAT client for it."""

    def make(name: str, *, groups: tuple[str, ...] = ()) -> WorkspaceClient:
        added = fake_workspace.add_principal(name, groups=groups)
        config = Config(
            host=fake_workspace.host,
            token=added["token"],
            auth_type="pat",
            retry_timeout_seconds=10,
        )
        return WorkspaceClient(config=config)

    return make


def run_sql(client: WorkspaceClient, warehouse_id: str, statement: str, **kwargs: object):  # type: ignore[no-untyped-def]
    """Execute synchronously (10 s wait) through the SDK."""
    return client.statement_execution.execute_statement(
        statement, warehouse_id, wait_timeout="10s", **kwargs
    )


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatedWorkspace]:
    """A fresh emulated workspace shared by the tests of one module."""
    server = start_in_thread()
    try:
        yield server
    finally:
        server.stop()
