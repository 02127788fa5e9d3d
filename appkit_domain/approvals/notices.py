"""Notifications about approval requests, sent after the change is committed.

A notification that cannot be delivered does not undo the decision it
reports: the miss is recorded in the audit log as ``approval.notify_failed``
(with the error type only, never its text).
"""

from __future__ import annotations

from appkit_domain.approvals.model import ApprovalRequest
from appkit_domain.approvals.policy import MakerCheckerPolicy
from appkit_domain.audit.log import AuditLog
from appkit_domain.ports.notifier import Notification, Notifier
from appkit_domain.roles import RoleMap

NOTIFY_ACTOR = "appkit"


class ApprovalNotices:
    def __init__(self, notifier: Notifier | None, audit: AuditLog, roles: RoleMap) -> None:
        self._notifier = notifier
        self._audit = audit
        self._roles = roles

    async def _send(self, notification: Notification) -> None:
        if self._notifier is None:
            return
        try:
            await self._notifier.send(notification)
        except Exception as exc:
            await self._audit.append(
                actor=NOTIFY_ACTOR,
                action="approval.notify_failed",
                target=f"approval:{notification.approval_id}",
                details={"topic": notification.topic, "error": type(exc).__name__},
            )

    async def requested(self, request: ApprovalRequest, policy: MakerCheckerPolicy) -> None:
        """Tell the groups that may decide that ``request`` awaits them."""
        groups = set(policy.deciders.groups)
        for role in policy.deciders.roles:
            groups |= self._roles.groups_with_role(role)
        await self._send(
            Notification(
                topic="approval.requested",
                approval_id=request.id,
                kind=request.kind,
                subject=f"{request.kind} request {request.id} on {request.target} awaits a decision",
                to_groups=frozenset(groups),
                details={"required_approvals": request.required_approvals},
            )
        )

    async def decided(self, request: ApprovalRequest) -> None:
        """Tell the requester where ``request`` ended."""
        await self._send(
            Notification(
                topic="approval.decided",
                approval_id=request.id,
                kind=request.kind,
                subject=f"{request.kind} request {request.id} is {request.status.value}",
                to_principals=frozenset({request.requester}),
                details={"status": request.status.value},
            )
        )
