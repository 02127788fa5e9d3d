"""Optimistic concurrency: re-running a command on fresh state when its save went stale.

Every aggregate (approval request, data-quality exception, change request,
metric override) is saved with the version it was read at; a store that
holds a newer version answers :class:`~appkit_domain.errors.StaleVersion`
and changes nothing. :func:`retry_stale` is the one bounded retry every
service uses for that case (governance rule 9).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from appkit_domain.errors import InvalidInput, StaleVersion

T = TypeVar("T")

DEFAULT_ATTEMPTS = 5
"""How many times a command runs before a stale save is given up on."""


async def retry_stale(command: Callable[[], Awaitable[T]], attempts: int = DEFAULT_ATTEMPTS) -> T:
    """Run ``command`` and run it again, on fresh state, each time it raises ``StaleVersion``.

    ``command`` must load what it changes on every run, so a retry decides
    on the state that won the race, and must raise ``StaleVersion`` only
    from a save that changed nothing (never after a save that succeeded, or
    the retry would repeat a committed change). After ``attempts`` stale
    runs the last ``StaleVersion`` propagates; ``attempts`` below one is
    ``InvalidInput``.
    """
    if attempts < 1:
        raise InvalidInput("attempts must be at least 1")
    for attempt in range(attempts):
        try:
            return await command()
        except StaleVersion:
            if attempt + 1 == attempts:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
