"""The next state each approval command computes from the request as stored now.

These are the *steps* :class:`~appkit_domain.approvals.versioned.VersionedCommands`
runs on fresh state (and runs again when its save went stale): each returns
a :class:`~appkit_domain.approvals.versioned.Change` (the new request, its
audit action and details) or raises the rule the command breaks. They save
nothing and read no clock: the service passes ``now``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from appkit_domain.approvals import rules
from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.eligibility import EligibilityCheck
from appkit_domain.approvals.errors import RequestExpired
from appkit_domain.approvals.model import ApprovalRequest, ApprovalStatus, Verdict
from appkit_domain.approvals.payload import Payload, payload_hash
from appkit_domain.approvals.policy import MakerCheckerPolicy
from appkit_domain.approvals.versioned import Change


def new_request(
    approval_id: str,
    policy: MakerCheckerPolicy,
    actor: Actor,
    target: str,
    payload: Payload,
    now: datetime,
) -> ApprovalRequest:
    """A ``PENDING`` request binding ``payload`` (hashed now) to ``policy``, due by its deadline."""
    return ApprovalRequest(
        id=approval_id,
        kind=policy.kind,
        target=target,
        payload=payload,
        payload_hash=payload_hash(payload),
        requested_by=actor.id,
        on_behalf_of=actor.on_behalf_of_id,
        status=ApprovalStatus.PENDING,
        required_approvals=policy.required_approvals(payload),
        deadline=now + policy.deadline,
        created_at=now,
        updated_at=now,
        auto_apply=policy.auto_apply,
    )


def submission_details(request: ApprovalRequest) -> dict[str, Any]:
    """What the ``approval.submit`` audit event records besides the common fields."""
    return {
        "payload": request.payload,
        "required_approvals": request.required_approvals,
        "deadline": request.deadline,
    }


async def decision(
    current: ApprovalRequest,
    policy: MakerCheckerPolicy,
    actor: Actor,
    verdict: Verdict,
    *,
    comment: str,
    seen_hash: str | None,
    now: datetime,
    eligibility: EligibilityCheck,
    claim_apply: bool,
) -> Change:
    """Rules 1-7: record ``actor``'s verdict; an overdue request is expired instead.

    The checks run in a fixed order (still pending, not a maker, eligible
    now, first decision, payload seen) so a caller always gets the same
    error for the same situation. ``claim_apply`` claims the action of a
    request this decision approves (auto-apply with a registered applier).
    """
    if current.is_overdue(now):
        return expiry(current, now, raise_after=True)
    rules.require_pending(current)
    rules.check_not_maker(current, actor)
    await eligibility.require(policy.deciders, actor, f"decide {current.kind!r} requests")
    rules.check_first_decision(current, actor)
    seen = rules.check_seen_hash(current, seen_hash)
    decided = rules.record_decision(
        current, policy, actor, verdict, comment=comment, seen_hash=seen, now=now
    )
    if decided.status is ApprovalStatus.APPROVED and claim_apply:
        decided = decided.claimed_for_apply(now)
    action = "approval.approve" if verdict is Verdict.APPROVE else "approval.reject"
    details = {
        "verdict": verdict.value,
        "comment": comment,
        "approvals": len(decided.approvals),
        "required_approvals": decided.required_approvals,
    }
    return Change(decided, action, details)


def withdrawal(current: ApprovalRequest, actor: Actor, reason: str, now: datetime) -> Change:
    """Rule 8: the requester withdraws a ``PENDING`` request."""
    rules.check_withdrawal(current, actor)
    withdrawn = current.transition(ApprovalStatus.WITHDRAWN, now, reason=reason)
    return Change(withdrawn, "approval.withdraw", {"reason": reason})


def expiry(current: ApprovalRequest, now: datetime, *, raise_after: bool) -> Change:
    """Rule 6: the request is saved ``EXPIRED``; ``raise_after`` then fails the decision."""
    expired = current.transition(ApprovalStatus.EXPIRED, now, reason="deadline passed")
    error = (
        RequestExpired(
            f"approval request {current.id} expired at its deadline",
            details={"approval_id": current.id, "deadline": current.deadline.isoformat()},
        )
        if raise_after
        else None
    )
    return Change(expired, "approval.expire", {"deadline": current.deadline}, error)
