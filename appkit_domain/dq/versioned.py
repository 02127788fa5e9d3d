"""Bounded retry of a command whose optimistic save met a newer version."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from appkit_domain.errors import StaleVersion

T = TypeVar("T")

DEFAULT_ATTEMPTS = 5


async def retry_stale(command: Callable[[], Awaitable[T]], attempts: int = DEFAULT_ATTEMPTS) -> T:
    """Run ``command`` and run it again, on fresh state, each time it raises ``StaleVersion``.

    ``command`` must load what it changes on every run, so a retry decides
    on the state that won the race. After ``attempts`` stale runs the last
    ``StaleVersion`` propagates.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(attempts):
        try:
            return await command()
        except StaleVersion:
            if attempt + 1 == attempts:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
