"""A clock that moves only when a test says so."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from appkit_domain.ports.clock import Clock

DEFAULT_START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


class ControllableClock(Clock):
    def __init__(self, start: datetime = DEFAULT_START) -> None:
        if start.tzinfo is None:
            raise ValueError("ControllableClock needs a timezone-aware start time")
        self.current = start.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by ``delta`` or by keyword parts (``seconds=5``); never backwards."""
        step = delta if delta is not None else timedelta(**kwargs)
        if step < timedelta(0):
            raise ValueError("time does not run backwards")
        self.current += step
        return self.current

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("set() needs a timezone-aware time")
        self.current = moment.astimezone(timezone.utc)
