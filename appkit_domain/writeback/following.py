"""A change request follows the approval request that governs it.

The change's status mirrors its approval's end: ``REJECTED``, ``EXPIRED``,
``WITHDRAWN``, ``APPLY_FAILED`` when the apply failed before reaching the
change, and ``APPROVED`` while an explicit apply is awaited. The mirror
runs when the approval settles (a settlement listener) and again whenever
the change is read (the fallback); it is idempotent, saved version-checked
and audited as ``writeback.status`` by the app's service principal.
"""

from __future__ import annotations

import contextlib
from typing import Any

from appkit_domain.approvals import ApprovalRequest, ApprovalService, ApprovalStatus
from appkit_domain.audit import AuditLog
from appkit_domain.errors import AppkitError, NotFound
from appkit_domain.ports.change_store import ChangeStore
from appkit_domain.ports.clock import Clock
from appkit_domain.principal import Principal
from appkit_domain.versioning import retry_stale
from appkit_domain.writeback.change import ChangeRequest, ChangeStatus

MIRRORED = {
    ApprovalStatus.APPROVED: ChangeStatus.APPROVED,
    ApprovalStatus.REJECTED: ChangeStatus.REJECTED,
    ApprovalStatus.EXPIRED: ChangeStatus.EXPIRED,
    ApprovalStatus.WITHDRAWN: ChangeStatus.WITHDRAWN,
    ApprovalStatus.APPLY_FAILED: ChangeStatus.APPLY_FAILED,
}
"""The change status each approval status gives (``APPLIED`` comes from the apply itself)."""

UNSUBMITTED = "its approval request could not be submitted"


class ApprovalFollowing:
    """Brings stored changes in line with their approval requests."""

    def __init__(
        self,
        changes: ChangeStore,
        approvals: ApprovalService | None,
        audit: AuditLog,
        clock: Clock,
        *,
        service_principal: Principal,
        attempts: int,
    ) -> None:
        self.changes = changes
        self.approvals = approvals
        self.audit = audit
        self.clock = clock
        self.service_principal = service_principal
        self._attempts = attempts

    async def mirror(self, change_id: str, settled: ApprovalRequest | None = None) -> ChangeRequest:
        """The change, with its approval's status mirrored onto it first when they differ.

        ``settled`` is the change's approval request as it settled (a terminal
        state, which never changes again), so it is used instead of reading the
        request; any other request is read from the approval service. A change
        naming a request that is not stored (its proposal is still submitting
        it, or the submission failed) is returned as it is.
        """

        async def command() -> ChangeRequest:
            current = await self.changes.get(change_id)
            if current.status.is_final or not current.approval_id or self.approvals is None:
                return current
            if (
                settled is not None
                and settled.id == current.approval_id
                and settled.status.is_terminal
            ):
                approval = settled
            else:
                try:
                    approval = await self.approvals.get(current.approval_id)
                except NotFound:
                    return current
            status = MIRRORED.get(approval.status)
            if status is None or status is current.status:
                return current
            updated = current.moved(status, self.clock.now(), failure=approval.failure)
            await self.changes.save(updated, expected_version=current.version)
            await self._audit_status(updated, current.status, approval.id)
            return updated

        return await retry_stale(command, self._attempts)

    async def withdraw_unsubmitted(self, change_id: str, approval_id: str | None = None) -> None:
        """Best effort: a stored change whose approval request was never submitted is withdrawn.

        ``approval_id`` is the id reserved for that request, which the change
        already names; a change still ``PENDING`` and naming it (or none) is
        withdrawn.

        Any error here is swallowed: the submission's error is the one the
        caller needs, and a change this cannot withdraw is still applied only
        through an approved request with its reserved id (its table needs one).
        """

        async def withdraw() -> ChangeRequest | None:
            fresh = await self.changes.get(change_id)
            if fresh.status is not ChangeStatus.PENDING or fresh.approval_id != approval_id:
                return None
            withdrawn = fresh.moved(ChangeStatus.WITHDRAWN, self.clock.now(), failure=UNSUBMITTED)
            await self.changes.save(withdrawn, expected_version=fresh.version)
            return withdrawn

        with contextlib.suppress(AppkitError):
            withdrawn = await retry_stale(withdraw, self._attempts)
            if withdrawn is not None:
                await self._audit_status(withdrawn, ChangeStatus.PENDING, None)

    async def _audit_status(
        self, change: ChangeRequest, before: ChangeStatus, approval_id: str | None
    ) -> None:
        details: dict[str, Any] = {
            "from": before.value,
            "to": change.status.value,
            "approval_id": approval_id,
        }
        if change.failure:
            details["failure"] = change.failure
        await self.audit.append(
            actor=self.service_principal.id,
            action="writeback.status",
            target=change.target,
            details=details,
        )
