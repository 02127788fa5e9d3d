"""The life cycle of a data-quality exception.

``OPEN -> ACKNOWLEDGED -> RESOLVED | WAIVED``; ``WAIVED -> REOPENED`` when the
waiver expires or the check fails again after the waiver window;
``RESOLVED -> REOPENED`` when the failure recurs. ``REOPENED`` behaves like
``OPEN``. No other transition exists.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

from appkit_domain.lifecycle import check_move


class DqStatus(str, enum.Enum):
    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"
    WAIVED = "WAIVED"
    REOPENED = "REOPENED"

    @property
    def is_active(self) -> bool:
        """Whether the exception still needs attention (and so can be overdue)."""
        return self not in CLOSED


CLOSED = frozenset({DqStatus.RESOLVED, DqStatus.WAIVED})

TRANSITIONS: Mapping[DqStatus, frozenset[DqStatus]] = MappingProxyType(
    {
        DqStatus.OPEN: frozenset({DqStatus.ACKNOWLEDGED}),
        DqStatus.REOPENED: frozenset({DqStatus.ACKNOWLEDGED}),
        DqStatus.ACKNOWLEDGED: frozenset({DqStatus.RESOLVED, DqStatus.WAIVED}),
        DqStatus.RESOLVED: frozenset({DqStatus.REOPENED}),
        DqStatus.WAIVED: frozenset({DqStatus.REOPENED}),
    }
)


def check_transition(current: DqStatus, target: DqStatus, exception_id: str = "") -> None:
    """Raise :class:`InvalidTransition` unless ``current -> target`` is in :data:`TRANSITIONS`."""
    subject = f"exception {exception_id}" if exception_id else "an exception"
    details = {"exception_id": exception_id} if exception_id else None
    check_move(TRANSITIONS, current, target, subject=subject, details=details)
