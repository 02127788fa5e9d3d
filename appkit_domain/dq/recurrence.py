"""When a failure detected again reopens its exception.

A failure of an existing exception is a *recurrence* when it was detected
after the exception was resolved (``RESOLVED -> REOPENED``) or at or after
its waiver ended (``WAIVED -> REOPENED``). Inside the waiver window a waived
exception stays ``WAIVED``; an active exception detected again later only
counts the occurrence; a detection no later than the last one changes
nothing (ingest is idempotent).
"""

from __future__ import annotations

from datetime import datetime

from appkit_domain.dq.exception import DqException
from appkit_domain.dq.status import DqStatus

RECURRED_AFTER_RESOLUTION = "recurred_after_resolution"
RECURRED_AFTER_WAIVER = "recurred_after_waiver"


def recurrence_reason(current: DqException, detected_at: datetime) -> str | None:
    """Why a failure detected at ``detected_at`` reopens ``current``, or None if it does not."""
    if (
        current.status is DqStatus.RESOLVED
        and current.resolved_at
        and detected_at > current.resolved_at
    ):
        return RECURRED_AFTER_RESOLUTION
    if current.status is DqStatus.WAIVED and current.waiver and detected_at >= current.waiver.until:
        return RECURRED_AFTER_WAIVER
    return None


def is_new_detection(current: DqException, detected_at: datetime) -> bool:
    """Whether ``detected_at`` is later than every detection ``current`` has counted."""
    return detected_at > (current.last_detected_at or current.detected_at)
