"""A change request to one row of a governed table, and its life cycle.

The status mirrors the change's approval request: ``PENDING`` while it is
being decided, then ``REJECTED``/``EXPIRED``/``WITHDRAWN``, or
``APPROVED`` and finally ``APPLIED`` or ``APPLY_FAILED``. A change that
needs no approval goes from ``PENDING`` straight to ``APPLIED`` or
``APPLY_FAILED``.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from appkit_domain.errors import InvalidInput
from appkit_domain.identifiers import TableName
from appkit_domain.lifecycle import check_move, require_aware
from appkit_domain.unit_of_work import AggregateType

RowImage = Mapping[str, Any]
"""Column -> value in canonical JSON form (see ``appkit_domain.audit.chain.normalize_json``)."""


class ChangeStatus(str, enum.Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    WITHDRAWN = "WITHDRAWN"
    APPLIED = "APPLIED"
    APPLY_FAILED = "APPLY_FAILED"

    @property
    def is_final(self) -> bool:
        return not CHANGE_TRANSITIONS[self]


_ENDS = frozenset({ChangeStatus.APPLIED, ChangeStatus.APPLY_FAILED})

CHANGE_TRANSITIONS: Mapping[ChangeStatus, frozenset[ChangeStatus]] = MappingProxyType(
    {
        ChangeStatus.PENDING: frozenset(
            {
                ChangeStatus.APPROVED,
                ChangeStatus.REJECTED,
                ChangeStatus.EXPIRED,
                ChangeStatus.WITHDRAWN,
            }
        )
        | _ENDS,
        ChangeStatus.APPROVED: _ENDS,
        ChangeStatus.REJECTED: frozenset(),
        ChangeStatus.EXPIRED: frozenset(),
        ChangeStatus.WITHDRAWN: frozenset(),
        ChangeStatus.APPLIED: frozenset(),
        ChangeStatus.APPLY_FAILED: frozenset(),
    }
)


def _frozen(image: Mapping[str, Any]) -> RowImage:
    return image if isinstance(image, MappingProxyType) else MappingProxyType(dict(image))


@dataclass(frozen=True)
class ChangeRequest:
    """Set ``values`` on the row of ``table`` identified by ``key``.

    ``before`` is the whole row as read when the change was proposed; the
    change applies only while the row still equals it. ``requested_by`` is
    the maker; ``approvers`` the checkers once applied; ``executed_by`` the
    identity that wrote (the app's service principal). ``failure`` says why
    an ``APPLY_FAILED`` change failed. Once linked
    (:mod:`appkit_domain.writeback.versions`), ``table_version`` is the version
    of the table the applied write produced and ``replaced_version`` the one
    it replaced.
    """

    id: str
    table: TableName
    key: RowImage
    values: RowImage
    before: RowImage
    reason: str
    requested_by: str
    created_at: datetime
    updated_at: datetime
    status: ChangeStatus = ChangeStatus.PENDING
    approval_id: str | None = None
    required_approvals: int = 0
    approvers: tuple[str, ...] = ()
    executed_by: str | None = None
    applied_at: datetime | None = None
    failure: str | None = None
    version: int = 1
    table_version: int | None = None
    replaced_version: int | None = None

    def __post_init__(self) -> None:
        if not self.reason or not self.reason.strip():
            raise InvalidInput("a change request needs a reason")
        require_aware(self, "created_at", "updated_at")
        for name in ("key", "values", "before"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "approvers", tuple(self.approvers))

    @property
    def target(self) -> str:
        """The audit target naming this change."""
        return f"writeback_change:{self.id}"

    @property
    def after(self) -> dict[str, Any]:
        """The row as it will be once applied (audit columns aside)."""
        return {**self.before, **self.values}

    def moved(self, status: ChangeStatus, at: datetime, **changes: Any) -> ChangeRequest:
        """This change in ``status``; ``InvalidTransition`` if that move does not exist."""
        check_move(
            CHANGE_TRANSITIONS,
            self.status,
            status,
            subject=f"change {self.id}",
            details={"change_id": self.id},
        )
        return dataclasses.replace(
            self, status=status, updated_at=at, version=self.version + 1, **changes
        )

    def linked(self, produced: int, at: datetime) -> ChangeRequest:
        """This ``APPLIED`` change knowing the table version its write produced (once)."""
        if self.status is not ChangeStatus.APPLIED:
            raise InvalidInput(
                f"change {self.id} is {self.status.value}: only an applied one has versions"
            )
        if self.table_version is not None:
            raise InvalidInput(
                f"change {self.id} is already linked to version {self.table_version}"
            )
        return dataclasses.replace(
            self,
            table_version=produced,
            replaced_version=produced - 1,
            updated_at=at,
            version=self.version + 1,
        )

    def with_approval(self, approval_id: str, required: int, at: datetime) -> ChangeRequest:
        """The same ``PENDING`` change, linked to its approval request."""
        return dataclasses.replace(
            self,
            approval_id=approval_id,
            required_approvals=required,
            updated_at=at,
            version=self.version + 1,
        )

    def summary(self) -> dict[str, Any]:
        """JSON-safe view for audit details and API answers (with the versions once linked)."""
        summary: dict[str, Any] = {
            "id": self.id,
            "table": self.table.full_name,
            "key": dict(self.key),
            "set": dict(self.values),
            "before": dict(self.before),
            "after": self.after,
            "reason": self.reason,
            "status": self.status.value,
            "requested_by": self.requested_by,
            "approval_id": self.approval_id,
            "approvers": list(self.approvers),
            "executed_by": self.executed_by,
            "failure": self.failure,
        }
        if self.table_version is not None:
            summary["table_version"] = self.table_version
            summary["replaced_version"] = self.replaced_version
        return summary


def _change_key(change: ChangeRequest) -> str:
    return change.id


CHANGE_REQUESTS: AggregateType[ChangeRequest] = AggregateType(
    "change_requests", ChangeRequest, _change_key
)
"""Write-back change requests as units of work load and save them."""
