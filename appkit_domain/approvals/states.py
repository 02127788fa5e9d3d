"""Where an approval request can be: its statuses, the moves between them, decisions, claims."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from appkit_domain.audit.chain import format_time
from appkit_domain.errors import InvalidInput
from appkit_domain.lifecycle import require_aware


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
class ApplyClaim:
    """The lease under which one caller runs the action of an ``APPROVED`` request.

    ``token`` is the idempotency token the action is run with (the same on
    every run of this claim, so the external system does it once); ``until``
    is when the lease ends: after it, a recovery may run the action again
    with the same token and settle the request.
    """

    token: str
    until: datetime

    def __post_init__(self) -> None:
        if not self.token:
            raise InvalidInput("an apply claim needs a token")
        require_aware(self, "until")

    def as_json(self) -> dict[str, Any]:
        return {"token": self.token, "until": format_time(self.until)}
