"""Waiving a data-quality exception: an approval request, granted by its applier.

A waiver is asked for with a justification and an end time. It becomes
effective only when its ``dq_waiver`` approval request is approved: the
applier then moves the exception ``ACKNOWLEDGED -> WAIVED``. When the
exception is no longer ``ACKNOWLEDGED`` or the waiver end has passed by the
time of approval, the applier refuses and the approval ends
``APPLY_FAILED``. Expired waivers reopen through
:meth:`DqExceptionService.reopen_expired_waivers`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from appkit_domain.approvals import (
    Actor,
    ApplyContext,
    ApprovalRequest,
    ApprovalService,
    ApprovalStatus,
    thaw,
)
from appkit_domain.approvals.settlement import SETTLE_ACTOR
from appkit_domain.dq.exception import DqException, Waiver
from appkit_domain.dq.service import DqExceptionService
from appkit_domain.dq.status import DqStatus, check_transition
from appkit_domain.errors import Conflict, InvalidInput, PermissionDenied
from appkit_domain.principal import Principal
from appkit_domain.versioning import retry_stale

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

    Registers its applier for kind ``dq_waiver`` on the approval service.
    """

    def __init__(self, exceptions: DqExceptionService, approvals: ApprovalService) -> None:
        self.exceptions = exceptions
        self.approvals = approvals
        if DQ_WAIVER_KIND not in approvals.appliers:
            approvals.appliers.register(DQ_WAIVER_KIND, self.grant)
        approvals.on_settled(DQ_WAIVER_KIND, self.follow_approval)

    async def request_waiver(
        self,
        exception_id: str,
        by: Principal | Actor,
        justification: str,
        until: datetime,
        *,
        request_id: str | None = None,
    ) -> WaiverProposal:
        """Submit a ``dq_waiver`` approval request for an ``ACKNOWLEDGED`` exception.

        ``InvalidInput`` without a justification or with an end that is not
        in the future; ``InvalidTransition`` unless the exception is
        ``ACKNOWLEDGED``; ``PermissionDenied`` unless the requester owns the
        exception; ``Conflict`` while another waiver request for it is
        still pending. Two requests racing for one exception both pass that
        check, but only the first to link itself to the exception stands: the
        other is withdrawn (audited ``approval.withdraw``) and answered
        ``Conflict``, so at most one waiver request per exception is pending.
        """
        actor = by if isinstance(by, Actor) else Actor.of(by)
        if not isinstance(justification, str) or not justification.strip():
            raise InvalidInput("a waiver needs a justification")
        if not isinstance(until, datetime) or until.tzinfo is None:
            raise InvalidInput("a waiver end must be a timezone-aware time")
        if until <= self.exceptions.clock.now():
            raise InvalidInput("a waiver must end in the future")
        current = await self.exceptions.store.get(exception_id)
        if not current.is_owned_by(actor.party):
            # Like acknowledge and resolve: only the owner answers for their exception.
            raise PermissionDenied(
                f"only the owner of exception {current.id} may request a waiver of it",
                details={"exception_id": current.id},
            )
        check_transition(current.status, DqStatus.WAIVED, current.id)
        pending = await self._pending_request(current)
        if pending is not None:
            raise _pending_conflict(pending, current.id)
        approval = await self.approvals.submit(
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

        # The first attempt links from the state read above: its save is version-checked, so
        # anything saved since (a rival's link, a grant given at once) makes it stale, and the
        # next attempt reads the exception again.
        loaded: DqException | None = current

        async def link() -> DqException | ApprovalRequest:
            nonlocal loaded
            if loaded is not None:
                fresh, loaded = loaded, None
            else:
                fresh = await self.exceptions.store.get(exception_id)
            if fresh.pending_waiver_approval_id == approval.id or fresh.status is DqStatus.WAIVED:
                return fresh
            rival = await self._pending_request(fresh)
            if rival is not None:
                return rival
            updated = fresh.with_waiver_requested(approval.id)
            await self.exceptions.store.save(updated, expected_version=fresh.version)
            return updated

        linked = await retry_stale(link)
        if isinstance(linked, ApprovalRequest):
            # Another request for this exception was linked first (the two raced past the
            # check above): this one is withdrawn, so only one waiver request is ever pending.
            await self.approvals.withdraw(
                approval.id,
                actor,
                reason=f"waiver request {linked.id} for exception {exception_id} came first",
                request_id=request_id,
            )
            raise _pending_conflict(linked, exception_id)
        await self.exceptions.audit.append(
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

    async def follow_approval(self, request: ApprovalRequest) -> None:
        """The settlement listener of ``dq_waiver`` requests.

        A request that ended without a waiver (``REJECTED``, ``EXPIRED``,
        ``WITHDRAWN``, ``APPLY_FAILED``) is unlinked from its exception, which
        stays as it was, so the link names only a request still deciding.
        Saved and audited (``dq.waiver_request_closed``); idempotent.
        """
        if request.status is ApprovalStatus.APPLIED:
            return  # the grant already replaced the link by the waiver
        exception_id = thaw(request.payload).get("exception_id")
        if not isinstance(exception_id, str):
            return

        async def unlink() -> DqException | None:
            current = await self.exceptions.store.get(exception_id)
            if current.pending_waiver_approval_id != request.id:
                return None
            updated = current.without_waiver_request()
            await self.exceptions.store.save(updated, expected_version=current.version)
            return updated

        unlinked = await retry_stale(unlink)
        if unlinked is not None:
            await self.exceptions.audit.append(
                actor=SETTLE_ACTOR,
                action="dq.waiver_request_closed",
                target=unlinked.target,
                details={
                    "approval_id": request.id,
                    "approval_status": request.status.value,
                    "fingerprint": unlinked.fingerprint,
                },
            )

    async def _pending_request(self, exception: DqException) -> ApprovalRequest | None:
        """The waiver request linked to ``exception`` while it is still ``PENDING``, or None."""
        if not exception.pending_waiver_approval_id:
            return None
        linked = await self.approvals.get(exception.pending_waiver_approval_id)
        return linked if linked.status is ApprovalStatus.PENDING else None

    async def grant(self, request: ApprovalRequest, context: ApplyContext) -> Mapping[str, Any]:
        """The applier of ``dq_waiver`` requests: ``ACKNOWLEDGED -> WAIVED`` until the approved end.

        Idempotent per approval request: an exception already waived by this
        request is returned as it is (a rerun after ``Unavailable``).
        """
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

        async def command() -> DqException:
            current = await self.exceptions.store.get(exception_id)
            if current.fingerprint != payload.get("fingerprint"):
                raise Conflict(f"exception {exception_id} is not the one the waiver approved")
            if current.waiver is not None and current.waiver.approval_id == request.id:
                return current  # granted by an earlier run whose outcome was not known
            now = self.exceptions.clock.now()
            if until <= now:
                raise InvalidInput(f"the waiver window of exception {exception_id} already ended")
            updated = current.waived(Waiver(request.id, justification, until, now))
            await self.exceptions.store.save(updated, expected_version=current.version)
            await self.exceptions.audit.append(
                actor=context.actor.id,
                on_behalf_of=context.actor.on_behalf_of_id,
                action="dq.waive",
                target=updated.target,
                request_id=context.request_id,
                details={
                    "from": current.status.value,
                    "to": updated.status.value,
                    "approval_id": request.id,
                    "requested_by": request.requester,
                    "approvers": list(context.approvers),
                    "justification": justification,
                    "until": until.isoformat(),
                    "fingerprint": updated.fingerprint,
                },
            )
            return updated

        waived = await retry_stale(command)
        return {"exception_id": waived.id, "status": waived.status.value, "until": until}


def _pending_conflict(pending: ApprovalRequest, exception_id: str) -> Conflict:
    return Conflict(
        f"waiver request {pending.id} for exception {exception_id} is still pending",
        details={"approval_id": pending.id},
    )
