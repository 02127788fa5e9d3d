"""Waiting on long operations: polls until done, backs off, gives up after the timeout."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from appkit_web.cli.progress import WaitTimedOut, wait_for


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def _quiet() -> Console:
    return Console(file=io.StringIO())


def test_wait_returns_the_first_done_state_and_backs_off() -> None:
    states = iter(["PENDING", "RUNNING", "RUNNING", "TERMINATED"])
    time = FakeTime()
    final = wait_for(
        lambda: next(states),
        done=lambda s: s == "TERMINATED",
        describe=str,
        what="run 1",
        first_interval=0.5,
        max_interval=1.0,
        console=_quiet(),
        sleep=time.sleep,
        clock=time.clock,
    )
    assert final == "TERMINATED"
    assert time.sleeps == [0.5, 1.0, 1.0]


def test_wait_gives_up_after_the_timeout_with_the_last_state() -> None:
    time = FakeTime()
    with pytest.raises(WaitTimedOut) as caught:
        wait_for(
            lambda: "RUNNING",
            done=lambda s: False,
            describe=str,
            what="run 2",
            timeout=3.0,
            console=_quiet(),
            sleep=time.sleep,
            clock=time.clock,
        )
    assert caught.value.last == "RUNNING"
    assert "run 2 did not finish within 3s" in str(caught.value)
    assert time.now == pytest.approx(3.0)


def test_an_already_finished_operation_is_not_polled_again() -> None:
    calls = []

    def poll() -> str:
        calls.append(1)
        return "SUCCEEDED"

    wait_for(poll, done=lambda s: True, describe=str, what="x", console=_quiet())
    assert len(calls) == 1
