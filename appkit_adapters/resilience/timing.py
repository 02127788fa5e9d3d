"""Time as the resilience pipeline sees it: a monotonic reading and an awaitable sleep.

Every timing decision (backoff, deadlines, breaker cool-down, token refill,
per-attempt timeouts) goes through a :class:`Timer`, so tests drive them with
:class:`VirtualTime` and never wait for real.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Protocol, TypeVar

T = TypeVar("T")


class Timer(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; only differences are meaningful."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Suspend the caller for ``seconds`` (a non-positive value just yields)."""
        ...

    async def within(self, awaitable: Awaitable[T], seconds: float | None) -> T:
        """Await ``awaitable``; raise ``TimeoutError`` if it needs more than ``seconds``.

        ``None`` means no limit. On a real timer the late call is cancelled.
        """
        ...


class SystemTimer(Timer):
    """``time.monotonic`` and ``asyncio.sleep``."""

    def monotonic(self) -> float:
        return time.monotonic()  # the clock asyncio's loop uses; readable outside a loop too

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    async def within(self, awaitable: Awaitable[T], seconds: float | None) -> T:
        if seconds is None:
            return await awaitable
        return await asyncio.wait_for(awaitable, timeout=max(0.0, seconds))


class VirtualTime(Timer):
    """A timer whose clock moves only when someone sleeps on it.

    ``sleep(s)`` advances the clock by ``s`` at once and records ``s`` in
    :attr:`sleeps`, so a test can assert the exact schedule. ``within`` runs
    the awaitable to completion and raises ``TimeoutError`` if it consumed more
    virtual time than allowed (virtual time cannot pre-empt a call; a call that
    hangs on real I/O is not timed out). Concurrent sleepers add their sleeps
    rather than overlap, so use it for sequential timing checks.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward without recording a sleep (time passing elsewhere)."""
        if seconds < 0:
            raise ValueError("time does not run backwards")
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        step = max(0.0, seconds)
        self.sleeps.append(step)
        self.now += step
        await asyncio.sleep(0)

    async def within(self, awaitable: Awaitable[T], seconds: float | None) -> T:
        started = self.now
        result = await awaitable
        if seconds is not None and self.now - started > seconds:
            raise TimeoutError(f"call took {self.now - started:.3f}s, limit {seconds:.3f}s")
        return result
