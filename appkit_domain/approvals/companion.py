"""An audit event a caller records in the same batch as a submission's own event.

A service that stores its own record before submitting (a change request,
an override) also audits that record. Handed to
:meth:`~appkit_domain.approvals.service.ApprovalService.submit` as a
companion, its event is appended together with ``approval.submit``, so the
audit log's group commit makes both durable in one store write (unless the
log's batch limit splits them), and ``submit`` returns only once both are
durable. Should a write fail, ``submit`` raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from appkit_domain.audit.event import AuditEvent
from appkit_domain.audit.log import AuditLog
from appkit_domain.errors import InvalidInput


@dataclass(frozen=True)
class CompanionEvent:
    """What :meth:`AuditLog.append` takes, for an event appended alongside a submission's."""

    actor: str
    action: str
    target: str
    details: Mapping[str, Any] = field(default_factory=dict)
    on_behalf_of: str | None = None

    def __post_init__(self) -> None:
        for name in ("actor", "action", "target"):
            if not getattr(self, name):
                raise InvalidInput(f"a companion audit event needs a non-empty {name}")

    async def append_to(self, audit: AuditLog, *, request_id: str | None) -> AuditEvent:
        """Append this event to ``audit``; returns once it is durable."""
        return await audit.append(
            actor=self.actor,
            on_behalf_of=self.on_behalf_of,
            action=self.action,
            target=self.target,
            request_id=request_id,
            details=self.details,
        )
