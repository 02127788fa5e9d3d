"""The approval request aggregate: states, decisions and the only transitions that exist.

``ApprovalRequest`` is immutable; every change returns a new value. The
service saves it with ``version`` one higher than the version it read, and
the store accepts it only if the stored version is still that one
(optimistic concurrency, rule 9).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from appkit_domain.approvals.payload import Payload, freeze_payload, thaw
from appkit_domain.audit.chain import format_time
from appkit_domain.errors import InvalidInput, InvalidTransition
from appkit_domain.lifecycle import check_move, require_aware


class ApprovalStatus(str, enum.Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    WITHDRAWN = "WITHDRAWN"
    APPLIED = "APPLIED"
    APPLY_FAILED = "APPLY_FAILED"

    @property
    def is_terminal(self) -> bool:
        return not TRANSITIONS[self]


TRANSITIONS: Mapping[ApprovalStatus, frozenset[ApprovalStatus]] = MappingProxyType(
    {
        ApprovalStatus.PENDING: frozenset(
            {
                ApprovalStatus.APPROVED,
                ApprovalStatus.REJECTED,
                ApprovalStatus.EXPIRED,
                ApprovalStatus.WITHDRAWN,
            }
        ),
        ApprovalStatus.APPROVED: frozenset({ApprovalStatus.APPLIED, ApprovalStatus.APPLY_FAILED}),
        ApprovalStatus.REJECTED: frozenset(),
        ApprovalStatus.EXPIRED: frozenset(),
        ApprovalStatus.WITHDRAWN: frozenset(),
        ApprovalStatus.APPLIED: frozenset(),
        ApprovalStatus.APPLY_FAILED: frozenset(),
    }
)


class Verdict(str, enum.Enum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"


@dataclass(frozen=True)
class Decision:
    """One checker's verdict on the payload whose hash they saw.

    ``principal_id`` executed the decision; ``on_behalf_of`` is the
    accountable principal when a service principal decided for someone.
    """

    principal_id: str
    verdict: Verdict
    payload_hash: str
    at: datetime
    comment: str = ""
    on_behalf_of: str | None = None

    @property
    def party(self) -> str:
        """The accountable principal's id: the one rules 1 and 2 compare."""
        return self.on_behalf_of if self.on_behalf_of is not None else self.principal_id

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values (times as UTC ISO 8601 text), for responses and exports."""
        return {
            "principal_id": self.principal_id,
            "on_behalf_of": self.on_behalf_of,
            "decision": self.verdict.value,
            "comment": self.comment,
            "payload_hash": self.payload_hash,
            "at": format_time(self.at),
        }


@dataclass(frozen=True)
class ApprovalRequest:
    """An exact, immutable payload bound to a decision process.

    ``requested_by`` executed the submission; ``on_behalf_of`` is the
    accountable requester when a service principal submitted for someone.
    ``apply_claimed`` marks an ``APPROVED`` request whose action one caller
    has claimed to run: nobody else may run it (at most once). ``result``
    holds the applier's result once ``APPLIED``; ``failure`` says why it is
    ``APPLY_FAILED``; ``reason`` is the withdrawal or expiry note.
    """

    id: str
    kind: str
    target: str
    payload: Payload
    payload_hash: str
    requested_by: str
    status: ApprovalStatus
    required_approvals: int
    deadline: datetime
    created_at: datetime
    updated_at: datetime
    version: int = 1
    on_behalf_of: str | None = None
    decisions: tuple[Decision, ...] = ()
    auto_apply: bool = True
    apply_claimed: bool = False
    result: Mapping[str, Any] | None = None
    failure: str | None = None
    reason: str = ""
    applied_by: str | None = None

    def __post_init__(self) -> None:
        if self.required_approvals < 1:
            raise InvalidInput("an approval request needs at least one approval")
        if not isinstance(self.payload, MappingProxyType):
            object.__setattr__(self, "payload", freeze_payload(self.payload))
        if self.result is not None and not isinstance(self.result, MappingProxyType):
            object.__setattr__(self, "result", freeze_payload(self.result))
        require_aware(self, "deadline", "created_at", "updated_at")

    @property
    def requester(self) -> str:
        """The accountable requester's id."""
        return self.on_behalf_of if self.on_behalf_of is not None else self.requested_by

    @property
    def maker_ids(self) -> frozenset[str]:
        """Every id that took part in making the request; none of them may decide it."""
        ids = {self.requested_by}
        if self.on_behalf_of is not None:
            ids.add(self.on_behalf_of)
        return frozenset(ids)

    @property
    def approvals(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.verdict is Verdict.APPROVE)

    @property
    def rejections(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.verdict is Verdict.REJECT)

    @property
    def approvers(self) -> tuple[str, ...]:
        """Accountable ids of the approvals, in decision order."""
        return tuple(d.party for d in self.approvals)

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values (times as UTC ISO 8601 text), for responses and exports."""
        return {
            "id": self.id,
            "kind": self.kind,
            "target": self.target,
            "status": self.status.value,
            "payload": thaw(self.payload),
            "payload_hash": self.payload_hash,
            "requested_by": self.requested_by,
            "on_behalf_of": self.on_behalf_of,
            "requester": self.requester,
            "required_approvals": self.required_approvals,
            "approvals": len({d.party for d in self.approvals}),
            "decisions": [d.as_json() for d in self.decisions],
            "deadline": format_time(self.deadline),
            "created_at": format_time(self.created_at),
            "updated_at": format_time(self.updated_at),
            "version": self.version,
            "auto_apply": self.auto_apply,
            "result": thaw(self.result) if self.result is not None else None,
            "failure": self.failure,
            "reason": self.reason,
            "applied_by": self.applied_by,
        }

    def is_overdue(self, now: datetime) -> bool:
        return self.status is ApprovalStatus.PENDING and now >= self.deadline

    def transition(self, to: ApprovalStatus, at: datetime, **changes: Any) -> ApprovalRequest:
        """Return this request in state ``to``; ``InvalidTransition`` if that move does not exist."""
        check_move(
            TRANSITIONS,
            self.status,
            to,
            subject=f"approval request {self.id}",
            details={"approval_id": self.id},
        )
        return replace(self, status=to, updated_at=at, **changes)

    def require_status(self, status: ApprovalStatus, what: str) -> None:
        """``InvalidTransition`` ("only ``status`` requests ``what``") unless it is in ``status``."""
        if self.status is not status:
            raise InvalidTransition(
                f"approval request {self.id} is {self.status.value}; only {status.value} "
                f"requests {what}",
                details={"approval_id": self.id, "status": self.status.value},
            )

    def with_decision(self, decision: Decision) -> ApprovalRequest:
        """Return this still-``PENDING`` request with ``decision`` recorded."""
        self.require_status(ApprovalStatus.PENDING, "take decisions")
        return replace(
            self,
            decisions=(*self.decisions, decision),
            updated_at=decision.at,
        )

    def claimed_for_apply(self, at: datetime) -> ApprovalRequest:
        """Return this ``APPROVED`` request with its action claimed (not a state change)."""
        self.require_status(ApprovalStatus.APPROVED, "can be applied")
        if self.apply_claimed:
            raise InvalidTransition(
                f"approval request {self.id} is already being applied",
                details={"approval_id": self.id, "status": self.status.value},
            )
        return replace(self, apply_claimed=True, updated_at=at)

    def released_for_apply(self) -> ApprovalRequest:
        """This ``APPROVED`` request with its claim given back (the action's outcome is unknown)."""
        self.require_status(ApprovalStatus.APPROVED, "can be applied")
        return replace(self, apply_claimed=False)
