"""Waiving a data-quality exception: an approval request, granted in the step approving it.

A waiver is asked for with a justification and an end time. It becomes
effective only when its ``dq_waiver`` approval request is approved: the
approving step then moves the exception ``ACKNOWLEDGED -> WAIVED``. When the
exception is no longer ``ACKNOWLEDGED`` or the waiver end has passed by the
time of approval, the grant refuses and the approval ends ``APPLY_FAILED``. Expired waivers reopen through
:meth:`DqExceptionService.reopen_expired_waivers`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from appkit_domain.approvals import (
    APPROVAL_REQUESTS,
    Actor,
    ApplyContext,
    ApprovalRequest,
    ApprovalService,
    ApprovalStatus,
    Workflow,
    payload_hash,
    thaw,
)
from appkit_domain.dq.exception import DQ_EXCEPTIONS, DqException, Waiver
from appkit_domain.dq.service import DqExceptionService
from appkit_domain.dq.status import DqStatus, check_transition
from appkit_domain.errors import Conflict, InvalidInput, PermissionDenied
from appkit_domain.principal import Principal
from appkit_domain.unit_of_work import UnitOfWork

DQ_WAIVER_KIND = "dq_waiver"


@dataclass(frozen=True)
class WaiverProposal:
    """The exception (still ``ACKNOWLEDGED``) and the approval request that would waive it."""

    exception: DqException
    approval: ApprovalRequest

    @property
    def approval_id(self) -> str:
        return self.approval.id

    @property
    def required_approvals(self) -> int:
        return self.approval.required_approvals


class WaiverWorkflow:
    """Requests waivers through ``approvals`` and grants them when approved.

    Registers the ``dq_waiver`` workflow on the approval service: the grant
    runs in the step that approves the request; a request that ends without
    a waiver unlinks itself from its exception in the step that ends it.
    """

    def __init__(self, exceptions: DqExceptionService, approvals: ApprovalService) -> None:
        self.exceptions = exceptions
        self.approvals = approvals
        approvals.register(Workflow(DQ_WAIVER_KIND, apply=self.grant, follow=self.follow_approval))

    async def request_waiver(
        self,
        exception_id: str,
        by: Principal | Actor,
        justification: str,
        until: datetime,
        *,
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> WaiverProposal:
        """Submit a ``dq_waiver`` approval request for an ``ACKNOWLEDGED`` exception.

        ``InvalidInput`` without a justification or with an end that is not
        in the future; ``InvalidTransition`` unless the exception is
        ``ACKNOWLEDGED``; ``PermissionDenied`` unless the requester owns the
        exception; ``Conflict`` while another waiver request for it is still
        pending. The request and the exception's link to it commit together,
        so two requests racing for one exception cannot both stand: the second
        to commit runs again, finds the first and is refused.
        """
        actor = by if isinstance(by, Actor) else Actor.of(by)
        if not isinstance(justification, str) or not justification.strip():
            raise InvalidInput("a waiver needs a justification")
        if not isinstance(until, datetime) or until.tzinfo is None:
            raise InvalidInput("a waiver end must be a timezone-aware time")
        if until <= self.exceptions.clock.now():
            raise InvalidInput("a waiver must end in the future")

        async def body(uow: UnitOfWork) -> WaiverProposal:
            exceptions = uow.repo(DQ_EXCEPTIONS)
            current = await exceptions.get(exception_id)
            if not current.is_owned_by(actor.party):
                # Like acknowledge and resolve: only the owner answers for their exception.
                raise PermissionDenied(
                    f"only the owner of exception {current.id} may request a waiver of it",
                    details={"exception_id": current.id},
                )
            check_transition(current.status, DqStatus.WAIVED, current.id)
            pending = await self._pending_request(uow, current)
            if pending is not None:
                raise _pending_conflict(pending, current.id)
            approval = await self.approvals.open_in(
                uow,
                actor,
                DQ_WAIVER_KIND,
                current.target,
                {
                    "exception_id": current.id,
                    "fingerprint": current.fingerprint,
                    "check": current.check,
                    "table": current.table.full_name,
                    "severity": current.severity.value,
                    "justification": justification,
                    "until": until.isoformat(),
                },
                request_id=request_id,
            )
            linked = exceptions.save(current.with_waiver_requested(approval.id))
            uow.record(
                actor=actor.id,
                on_behalf_of=actor.on_behalf_of_id,
                action="dq.waiver_request",
                target=current.target,
                request_id=request_id,
                details={
                    "approval_id": approval.id,
                    "justification": justification,
                    "until": until.isoformat(),
                    "fingerprint": current.fingerprint,
                },
            )
            return WaiverProposal(linked, approval)

        async def replay(outcome: Mapping[str, Any]) -> WaiverProposal:
            return WaiverProposal(
                await self.exceptions.get(str(outcome["exception_id"])),
                await self.approvals.get(str(outcome["approval_id"])),
            )

        proposal = await self.exceptions.units.run(
            "dq.waiver_request",
            body,
            outcome=lambda p: {"exception_id": p.exception.id, "approval_id": p.approval.id},
            principal=actor.party_id,
            idempotency_key=idempotency_key,
            request_hash=payload_hash(
                {"exception": exception_id, "justification": justification, "until": until}
            )
            if idempotency_key
            else None,
            replay=replay,
            subject=f"exception {exception_id}",
        )
        await self.approvals.announce(proposal.approval)
        return proposal

    async def follow_approval(self, uow: UnitOfWork, request: ApprovalRequest) -> None:
        """The follower of ``dq_waiver`` requests, in the step that ends them.

        A request that ended without a waiver (``REJECTED``, ``EXPIRED``,
        ``WITHDRAWN``, ``APPLY_FAILED``) is unlinked from its exception, which
        stays as it was, so the link names only a request still deciding
        (audited ``dq.waiver_request_closed``).
        """
        if request.status not in _CLOSED:
            return
        exception_id = thaw(request.payload).get("exception_id")
        if not isinstance(exception_id, str):
            return
        exceptions = uow.repo(DQ_EXCEPTIONS)
        current = await exceptions.maybe(exception_id)
        if current is None or current.pending_waiver_approval_id != request.id:
            return
        unlinked = exceptions.save(current.without_waiver_request())
        uow.record(
            actor=FOLLOW_ACTOR,
            action="dq.waiver_request_closed",
            target=unlinked.target,
            details={
                "approval_id": request.id,
                "approval_status": request.status.value,
                "fingerprint": unlinked.fingerprint,
            },
        )

    async def _pending_request(
        self, uow: UnitOfWork, exception: DqException
    ) -> ApprovalRequest | None:
        """The waiver request linked to ``exception`` while it is still ``PENDING``, or None."""
        if not exception.pending_waiver_approval_id:
            return None
        linked = await uow.repo(APPROVAL_REQUESTS).maybe(exception.pending_waiver_approval_id)
        return linked if linked is not None and linked.status is ApprovalStatus.PENDING else None

    async def grant(
        self, uow: UnitOfWork, request: ApprovalRequest, context: ApplyContext
    ) -> Mapping[str, Any]:
        """The ``dq_waiver`` action: ``ACKNOWLEDGED -> WAIVED`` until the approved end, in ``uow``."""
        payload = thaw(request.payload)
        exception_id = payload.get("exception_id")
        if not isinstance(exception_id, str):
            raise InvalidInput(f"approval request {request.id} names no exception")
        try:
            until = datetime.fromisoformat(str(payload.get("until")))
        except ValueError:
            raise InvalidInput(f"approval request {request.id} has no valid waiver end") from None
        if until.tzinfo is None:
            raise InvalidInput(f"approval request {request.id} has no valid waiver end")
        justification = str(payload.get("justification") or "")
        exceptions = uow.repo(DQ_EXCEPTIONS)
        current = await exceptions.get(exception_id)
        if current.fingerprint != payload.get("fingerprint"):
            raise Conflict(f"exception {exception_id} is not the one the waiver approved")
        now = context.now
        if until <= now:
            raise InvalidInput(f"the waiver window of exception {exception_id} already ended")
        waived = exceptions.save(current.waived(Waiver(request.id, justification, until, now)))
        uow.record(
            actor=context.actor.id,
            on_behalf_of=context.actor.on_behalf_of_id,
            action="dq.waive",
            target=waived.target,
            request_id=context.request_id,
            details={
                "from": current.status.value,
                "to": waived.status.value,
                "approval_id": request.id,
                "requested_by": request.requester,
                "approvers": list(context.approvers),
                "justification": justification,
                "until": until.isoformat(),
                "fingerprint": waived.fingerprint,
            },
        )
        return {"exception_id": waived.id, "status": waived.status.value, "until": until}


_CLOSED = frozenset(
    {
        ApprovalStatus.REJECTED,
        ApprovalStatus.EXPIRED,
        ApprovalStatus.WITHDRAWN,
        ApprovalStatus.APPLY_FAILED,
    }
)

FOLLOW_ACTOR = "appkit"
"""The audit actor of records that follow an approval request (no person acted on them)."""


def _pending_conflict(pending: ApprovalRequest, exception_id: str) -> Conflict:
    return Conflict(
        f"waiver request {pending.id} for exception {exception_id} is still pending",
        details={"approval_id": pending.id},
    )
