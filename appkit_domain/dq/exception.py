"""A data-quality exception: one failed check on one dataset, and what was done about it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from appkit_domain.dq.severity import Severity
from appkit_domain.dq.status import DqStatus, check_transition
from appkit_domain.errors import InvalidInput
from appkit_domain.identifiers import TableName
from appkit_domain.lifecycle import require_aware
from appkit_domain.principal import Principal
from appkit_domain.unit_of_work import AggregateType

ObservedValue = str | int | float | bool | None


@dataclass(frozen=True)
class Waiver:
    """Accepted risk: the exception stays closed until ``until`` unless it recurs later."""

    approval_id: str
    justification: str
    until: datetime
    granted_at: datetime


@dataclass(frozen=True)
class DqException:
    """One data-quality exception, immutable; every change makes a new version.

    ``owner`` is a principal id or a group name; the owner (any member of
    the group) acknowledges and resolves.

    ``fingerprint`` identifies the failure (check, dataset, failing key) and is
    unique among stored exceptions. ``due_at`` is the SLA deadline, restarted
    on reopening. ``version`` grows by one with every saved change; stores
    refuse a save made from a stale version.
    """

    id: str
    fingerprint: str
    check: str
    table: TableName
    rule: str
    severity: Severity
    observed_value: ObservedValue
    failing_key: str
    failing_rows_ref: str | None
    detected_at: datetime
    owner: str
    due_at: datetime
    status: DqStatus = DqStatus.OPEN
    last_detected_at: datetime | None = None
    occurrences: int = 1
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None
    waiver: Waiver | None = None
    pending_waiver_approval_id: str | None = None
    reopened_at: datetime | None = None
    reopen_reason: str | None = None
    version: int = 1

    def __post_init__(self) -> None:
        for name in ("check", "rule", "owner", "failing_key"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidInput(f"a data-quality exception needs a non-empty {name}")
        require_aware(self, "detected_at", "due_at")
        if self.last_detected_at is None:
            object.__setattr__(self, "last_detected_at", self.detected_at)

    @property
    def target(self) -> str:
        """The audit target naming this exception."""
        return f"dq_exception:{self.id}"

    def is_owned_by(self, principal: Principal) -> bool:
        """Whether ``principal`` is the owner: its id, or a group it belongs to, is ``owner``."""
        return principal.id == self.owner or self.owner in principal.groups

    def is_overdue(self, now: datetime) -> bool:
        return self.status.is_active and self.due_at < now

    def _moved(self, status: DqStatus, **changes: Any) -> DqException:
        check_transition(self.status, status, self.id)
        return dataclasses.replace(self, status=status, version=self.version + 1, **changes)

    def acknowledged(self, by: str, at: datetime) -> DqException:
        return self._moved(DqStatus.ACKNOWLEDGED, acknowledged_by=by, acknowledged_at=at)

    def resolved(self, by: str, at: datetime, resolution: str) -> DqException:
        return self._moved(DqStatus.RESOLVED, resolved_by=by, resolved_at=at, resolution=resolution)

    def waived(self, waiver: Waiver) -> DqException:
        return self._moved(DqStatus.WAIVED, waiver=waiver, pending_waiver_approval_id=None)

    def reopened(self, at: datetime, reason: str, due_at: datetime) -> DqException:
        return self._moved(
            DqStatus.REOPENED,
            reopened_at=at,
            reopen_reason=reason,
            due_at=due_at,
            acknowledged_by=None,
            acknowledged_at=None,
        )

    def with_waiver_requested(self, approval_id: str) -> DqException:
        """Same state, remembering the approval request that would waive it."""
        return dataclasses.replace(
            self, pending_waiver_approval_id=approval_id, version=self.version + 1
        )

    def without_waiver_request(self) -> DqException:
        """Same state, no longer linked to a waiver request (it ended without a waiver)."""
        return dataclasses.replace(self, pending_waiver_approval_id=None, version=self.version + 1)

    def seen_again(self, at: datetime) -> DqException:
        """Same state, one more detection of the same failure at ``at``."""
        return dataclasses.replace(
            self, last_detected_at=at, occurrences=self.occurrences + 1, version=self.version + 1
        )

    def summary(self) -> dict[str, Any]:
        """JSON-safe fields for audit details and API answers."""
        return {
            "id": self.id,
            "check": self.check,
            "table": self.table.full_name,
            "rule": self.rule,
            "severity": self.severity.value,
            "status": self.status.value,
            "owner": self.owner,
            "failing_key": self.failing_key,
            "fingerprint": self.fingerprint,
            "due_at": self.due_at.isoformat(),
        }


def _exception_key(exception: DqException) -> str:
    return exception.id


def _fingerprint(exception: DqException) -> str:
    return exception.fingerprint


DQ_EXCEPTIONS: AggregateType[DqException] = AggregateType(
    "dq_exceptions",
    DqException,
    _exception_key,
    indexes={"fingerprint": _fingerprint},
    unique=("fingerprint",),
)
"""Data-quality exceptions as units of work load and save them; unique by fingerprint."""
