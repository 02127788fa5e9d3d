"""Clock port: the only way the domain learns the time."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The time source; tests substitute a controllable one, never sleep."""

    def now(self) -> datetime:
        """Return the current time as a timezone-aware UTC datetime."""
        ...
