"""The maker-checker rules as pure functions over a request, a policy and an actor.

The aggregate's commands (:meth:`ApprovalRequest.decide` and the rest) apply them in
a fixed order.

Each function either returns the request's next state or raises the error
the rule names. They read no clock and no store: the service passes ``now``
and the groups/roles it resolved at the moment of the command.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.errors import (
    AlreadyDecided,
    NotEligible,
    PayloadMismatch,
    RequestExpired,
    SelfApproval,
)
from appkit_domain.approvals.payload import payload_hash
from appkit_domain.approvals.policy import Eligibility, MakerCheckerPolicy
from appkit_domain.approvals.states import ApprovalStatus, Decision, Verdict
from appkit_domain.errors import InvalidTransition, PermissionDenied
from appkit_domain.principal import PrincipalKind

if TYPE_CHECKING:
    from appkit_domain.approvals.model import ApprovalRequest


def require_pending(request: ApprovalRequest) -> None:
    """Only ``PENDING`` requests take decisions; an ``EXPIRED`` one says so (rule 6)."""
    if request.status is ApprovalStatus.EXPIRED:
        raise RequestExpired(
            f"approval request {request.id} expired at its deadline",
            details={"approval_id": request.id, "status": request.status.value},
        )
    if request.status is not ApprovalStatus.PENDING:
        raise InvalidTransition(
            f"approval request {request.id} is {request.status.value}; it takes no more decisions",
            details={"approval_id": request.id, "status": request.status.value},
        )


def accountable_ids(actor: Actor) -> frozenset[str]:
    """Who answers for what ``actor`` does: the party, and the executing principal if a user.

    A service principal executing for a user only relays that user; a user
    executing for someone else still answers for the act, so a maker cannot
    decide by acting for another principal, nor a checker decide twice.
    """
    if actor.principal.kind is PrincipalKind.USER:
        return frozenset({actor.party_id, actor.id})
    return frozenset({actor.party_id})


def check_not_maker(request: ApprovalRequest, actor: Actor) -> None:
    """Rule 1: no maker decides, in person, through someone acting for them, or for another."""
    if accountable_ids(actor) & request.maker_ids:
        raise SelfApproval(
            f"{actor.party_id} made approval request {request.id} and cannot decide it",
            details={"approval_id": request.id},
        )


def check_first_decision(request: ApprovalRequest, actor: Actor) -> None:
    """Rule 2: one decision per accountable principal, however it is executed."""
    ids = accountable_ids(actor)
    if any(ids & {decision.party, decision.principal_id} for decision in request.decisions):
        raise AlreadyDecided(
            f"{actor.party_id} has already decided approval request {request.id}",
            details={"approval_id": request.id},
        )


def check_eligible(
    eligibility: Eligibility,
    actor: Actor,
    groups: Iterable[str],
    roles: Iterable[str],
    *,
    what: str,
) -> None:
    """Rule 3 (and proposal/apply rights): the accountable party qualifies now."""
    if not eligibility.admits(groups, roles):
        raise NotEligible(f"{actor.party_id} may not {what}")


def check_seen_hash(request: ApprovalRequest, seen_hash: str | None) -> str:
    """Rule 7: the decider decides on the bound payload; returns the hash they saw."""
    if seen_hash is not None and seen_hash != request.payload_hash:
        raise PayloadMismatch(
            f"the payload seen does not match approval request {request.id}; reload it",
            details={"approval_id": request.id, "payload_hash": request.payload_hash},
        )
    return request.payload_hash


def record_decision(
    request: ApprovalRequest,
    policy: MakerCheckerPolicy,
    actor: Actor,
    verdict: Verdict,
    *,
    comment: str,
    seen_hash: str,
    now: datetime,
) -> ApprovalRequest:
    """Rules 4 and 5: add the decision and move to ``APPROVED``/``REJECTED`` when it settles."""
    decision = Decision(
        principal_id=actor.id,
        on_behalf_of=actor.on_behalf_of_id,
        verdict=verdict,
        payload_hash=seen_hash,
        at=now,
        comment=comment,
    )
    decided = request.with_decision(decision)
    if verdict is Verdict.REJECT:
        if policy.veto or len(decided.rejections) >= decided.required_approvals:
            return decided.transition(ApprovalStatus.REJECTED, now)
        return decided
    approvals = {d.party for d in decided.approvals if d.payload_hash == decided.payload_hash}
    if len(approvals) >= decided.required_approvals:
        return decided.transition(ApprovalStatus.APPROVED, now)
    return decided


def check_withdrawal(request: ApprovalRequest, actor: Actor) -> None:
    """Rule 8: only the requester, only while ``PENDING``."""
    if actor.party_id not in request.maker_ids:
        raise PermissionDenied(
            f"only the requester may withdraw approval request {request.id}",
            details={"approval_id": request.id},
        )
    request.require_status(ApprovalStatus.PENDING, "can be withdrawn")


def binding_failure(request: ApprovalRequest) -> str | None:
    """Rule 7 at apply time: why the payload is not exactly what was approved, or ``None``."""
    if payload_hash(request.payload) != request.payload_hash:
        return "the payload no longer matches the hash it was approved under"
    approvals = request.approvals
    if any(d.payload_hash != request.payload_hash for d in approvals):
        return "an approval was given for a different payload hash"
    if len({d.party for d in approvals}) < request.required_approvals:
        return "the request does not carry its quorum of approvals"
    return None
