"""Waiting on long operations (deployments, job runs, statements) with a live status line.

The status line goes to stderr and is transient, so stdout keeps only the
result. Polling starts immediately and backs off from ``first_interval`` to
``max_interval``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from rich.console import Console

from appkit_web.cli.output import stderr_console

T = TypeVar("T")


class WaitTimedOut(TimeoutError):
    """The operation did not finish within the allowed time; ``last`` is its last state."""

    def __init__(self, what: str, seconds: float, last: object) -> None:
        super().__init__(f"{what} did not finish within {seconds:g}s")
        self.last = last


def wait_for(
    poll: Callable[[], T],
    *,
    done: Callable[[T], bool],
    describe: Callable[[T], str],
    what: str,
    timeout: float = 1200.0,
    first_interval: float = 0.2,
    max_interval: float = 5.0,
    console: Console | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Call ``poll`` until ``done`` says so; show ``describe(state)`` while waiting.

    Returns the final state; raises :class:`WaitTimedOut` after ``timeout`` seconds.
    """
    started = clock()
    interval = first_interval
    out = console or stderr_console()
    state = poll()
    with out.status(f"{what}: {describe(state)}", spinner="dots") as status:
        while not done(state):
            elapsed = clock() - started
            if elapsed >= timeout:
                raise WaitTimedOut(what, timeout, state)
            sleep(min(interval, max(timeout - elapsed, 0.0)))
            interval = min(interval * 2, max_interval)
            state = poll()
            status.update(f"{what}: {describe(state)} ({clock() - started:.0f}s)")
    return state
