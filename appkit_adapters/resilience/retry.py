"""Retry timing: exponential backoff with full jitter, and ``Retry-After`` parsing.

The exponential window comes from ``backoff.expo``; the jitter draws from an
injected ``random.Random`` so a seeded test sees one exact schedule (AWS "full
jitter": each delay is uniform in ``[0, min(max_delay, initial * 2**n)]``).
"""

from __future__ import annotations

import random
from collections.abc import Generator
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import backoff


class BackoffSchedule:
    """The delays before retry 1, 2, 3, ... for one call; make one per call."""

    def __init__(self, initial: float, maximum: float, rng: random.Random) -> None:
        self._window: Generator[Any, Any, None] = backoff.expo(
            base=2, factor=initial, max_value=maximum
        )
        self._window.send(None)  # backoff's generators are primed with one empty send
        self._rng = rng

    def next_window(self) -> float:
        """The upper bound of the next delay (no jitter)."""
        return float(next(self._window))

    def next_delay(self) -> float:
        """The next delay with full jitter."""
        return self._rng.uniform(0.0, self.next_window())


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP-date.

    Returns ``None`` when absent or unreadable; a date in the past gives 0.
    ``now`` (aware UTC) is the reference for HTTP-dates.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN is unreadable
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    reference = now if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - reference).total_seconds())
