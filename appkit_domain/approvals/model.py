"""The approval request aggregate: states, decisions and the only transitions that exist.

``ApprovalRequest`` is immutable; every change returns a new value, and the
rules of maker-checker live on it (:meth:`ApprovalRequest.decide`,
:meth:`~ApprovalRequest.withdraw`, :meth:`~ApprovalRequest.expire`, ...;
the checks themselves are in :mod:`appkit_domain.approvals.rules`). A unit
of work saves it one version ahead of the version it read, and the store
accepts it only if the stored version is still that one (concurrent
decisions cannot both count).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from appkit_domain.approvals import rules
from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.errors import NotEligible, RequestExpired
from appkit_domain.approvals.payload import Payload, freeze_payload, payload_hash, thaw
from appkit_domain.approvals.states import (
    TRANSITIONS,
    ApplyClaim,
    ApprovalStatus,
    Decision,
    Verdict,
)
from appkit_domain.audit.chain import format_time
from appkit_domain.errors import InvalidInput, InvalidTransition
from appkit_domain.lifecycle import check_move, require_aware
from appkit_domain.unit_of_work import AggregateType

if TYPE_CHECKING:
    from appkit_domain.approvals.policy import MakerCheckerPolicy

__all__ = [
    "APPROVAL_REQUESTS",
    "TRANSITIONS",
    "ApplyClaim",
    "ApprovalRequest",
    "ApprovalStatus",
    "Decision",
    "Verdict",
]


@dataclass(frozen=True)
class ApprovalRequest:
    """An exact, immutable payload bound to a decision process.

    ``requested_by`` executed the submission; ``on_behalf_of`` is the
    accountable requester when a service principal submitted for someone.
    ``claim`` marks an ``APPROVED`` request whose action runs outside the
    governance store (an external system): see :class:`ApplyClaim`. ``result``
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
    claim: ApplyClaim | None = None
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
    def apply_claimed(self) -> bool:
        """Whether an action outside the store is being run for this request."""
        return self.claim is not None

    @property
    def audit_target(self) -> str:
        """The audit target naming this request."""
        return f"approval:{self.id}"

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
            "claim": self.claim.as_json() if self.claim is not None else None,
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

    # -- the commands of maker-checker ---------------------------------------------------------

    @classmethod
    def open(
        cls,
        approval_id: str,
        policy: MakerCheckerPolicy,
        actor: Actor,
        target: str,
        payload: Mapping[str, Any],
        now: datetime,
    ) -> ApprovalRequest:
        """A ``PENDING`` request binding ``payload`` (hashed now) to ``policy``, due by its
        deadline, with the quorum the policy gives this payload (rule 4, fixed now)."""
        if not target or not target.strip():
            raise InvalidInput("an approval request needs a target")
        frozen = freeze_payload(payload)
        return cls(
            id=approval_id,
            kind=policy.kind,
            target=target,
            payload=frozen,
            payload_hash=payload_hash(frozen),
            requested_by=actor.id,
            on_behalf_of=actor.on_behalf_of_id,
            status=ApprovalStatus.PENDING,
            required_approvals=policy.required_approvals(frozen),
            deadline=now + policy.deadline,
            created_at=now,
            updated_at=now,
            auto_apply=policy.auto_apply,
        )

    def decide(
        self,
        policy: MakerCheckerPolicy,
        actor: Actor,
        verdict: Verdict,
        *,
        comment: str,
        seen_hash: str | None,
        now: datetime,
        refusal: NotEligible | None = None,
    ) -> ApprovalRequest:
        """Record ``actor``'s verdict under rules 1-7; ``APPROVED``/``REJECTED`` once it settles.

        The checks run in a fixed order (not past its deadline, still pending,
        not a maker, eligible now, first decision, payload seen), so the same
        situation always gives the same error. ``refusal`` is the eligibility
        check's answer for the actor at this moment (rule 3), raised in its
        place in that order. A request past its deadline raises
        ``RequestExpired``: the caller saves :meth:`expire` first.
        """
        if self.is_overdue(now):
            raise RequestExpired(
                f"approval request {self.id} expired at its deadline",
                details={"approval_id": self.id, "deadline": self.deadline.isoformat()},
            )
        rules.require_pending(self)
        rules.check_not_maker(self, actor)
        if refusal is not None:
            raise refusal
        rules.check_first_decision(self, actor)
        seen = rules.check_seen_hash(self, seen_hash)
        return rules.record_decision(
            self, policy, actor, verdict, comment=comment, seen_hash=seen, now=now
        )

    def withdraw(self, actor: Actor, reason: str, now: datetime) -> ApprovalRequest:
        """Rule 8: the requester withdraws a ``PENDING`` request."""
        rules.check_withdrawal(self, actor)
        return self.transition(ApprovalStatus.WITHDRAWN, now, reason=reason)

    def expire(self, now: datetime) -> ApprovalRequest:
        """Rule 6: a ``PENDING`` request past its deadline becomes ``EXPIRED``."""
        if not self.is_overdue(now):
            raise InvalidTransition(
                f"approval request {self.id} is not past its deadline",
                details={"approval_id": self.id, "status": self.status.value},
            )
        return self.transition(ApprovalStatus.EXPIRED, now, reason="deadline passed")

    def binding_failure(self) -> str | None:
        """Rule 7 at apply time: why the payload is not exactly what was approved, or None."""
        return rules.binding_failure(self)

    def claimed(self, token: str, until: datetime, at: datetime) -> ApprovalRequest:
        """This ``APPROVED`` request with its action claimed under a lease (not a state change).

        A request already claimed is ``InvalidTransition`` unless its lease
        ended by ``at`` (the claim is then taken over, keeping its token, so
        the action runs with the same idempotency token).
        """
        self.require_status(ApprovalStatus.APPROVED, "can be applied")
        if self.claim is not None:
            if at < self.claim.until:
                raise InvalidTransition(
                    f"approval request {self.id} is already being applied",
                    details={"approval_id": self.id, "status": self.status.value},
                )
            token = self.claim.token
        return replace(self, claim=ApplyClaim(token, until), updated_at=at)

    def require_claim(self, token: str) -> None:
        """``InvalidTransition`` unless this request is still ``APPROVED`` under claim ``token``."""
        if (
            self.status is not ApprovalStatus.APPROVED
            or self.claim is None
            or self.claim.token != token
        ):
            raise InvalidTransition(
                f"approval request {self.id} changed while its action ran",
                details={"approval_id": self.id, "status": self.status.value},
            )

    def applied(self, result: Mapping[str, Any], by: str, at: datetime) -> ApprovalRequest:
        """``APPROVED -> APPLIED`` with the action's result."""
        return self.transition(ApprovalStatus.APPLIED, at, result=result, applied_by=by, claim=None)

    def apply_failed(self, failure: str, at: datetime) -> ApprovalRequest:
        """``APPROVED -> APPLY_FAILED`` saying why."""
        return self.transition(ApprovalStatus.APPLY_FAILED, at, failure=failure, claim=None)


def _request_key(request: ApprovalRequest) -> str:
    return request.id


APPROVAL_REQUESTS: AggregateType[ApprovalRequest] = AggregateType(
    "approval_requests", ApprovalRequest, _request_key
)
"""Approval requests as units of work load and save them."""
