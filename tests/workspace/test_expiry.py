"""Time-dependent behaviour (result expiry, link expiry) on an injected clock, no sleeping."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.service.sql import Disposition, StatementState

from appkit_testing.workspace import EmulatedWorkspace, start_in_thread


class SteppedClock:
    """Epoch seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def clocked() -> Iterator[tuple[EmulatedWorkspace, SteppedClock]]:
    clock = SteppedClock()
    emulator = start_in_thread(clock=clock)
    try:
        yield emulator, clock
    finally:
        emulator.stop()


def _client(emulator: EmulatedWorkspace) -> WorkspaceClient:
    client: WorkspaceClient = emulator.client()
    return client


def test_results_close_an_hour_after_success(
    clocked: tuple[EmulatedWorkspace, SteppedClock],
) -> None:
    emulator, clock = clocked
    api = _client(emulator).statement_execution
    done = api.execute_statement("SELECT 1", emulator.warehouse_id, wait_timeout="10s")
    assert done.status.state == StatementState.SUCCEEDED
    clock.now += 3601
    closed = api.get_statement(done.statement_id)
    assert closed.status.state == StatementState.CLOSED
    assert closed.result is None


def test_external_links_expire_after_fifteen_minutes(
    clocked: tuple[EmulatedWorkspace, SteppedClock],
) -> None:
    emulator, clock = clocked
    api = _client(emulator).statement_execution
    done = api.execute_statement(
        "SELECT 1",
        emulator.warehouse_id,
        wait_timeout="10s",
        disposition=Disposition.EXTERNAL_LINKS,
    )
    url = done.result.external_links[0].external_link
    assert requests.get(url, timeout=5).status_code == 200
    clock.now += 901
    assert requests.get(url, timeout=5).status_code == 403
