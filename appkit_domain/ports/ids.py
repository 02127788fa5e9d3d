"""Id generator port: unique ids without the domain touching randomness."""

from __future__ import annotations

from typing import Protocol


class IdGenerator(Protocol):
    """Unique ids for new records and audit events."""

    def new_id(self, prefix: str = "") -> str:
        """Return an id never returned before by this generator, optionally prefixed."""
        ...
