"""What proposing a change answers, and what its approval request binds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appkit_domain.approvals import ApprovalRequest
from appkit_domain.audit.chain import normalize_json
from appkit_domain.writeback.change import ChangeRequest


@dataclass(frozen=True)
class Proposal:
    """A stored change and, when its table needs approval, the approval request."""

    change: ChangeRequest
    approval: ApprovalRequest | None

    @property
    def approval_id(self) -> str | None:
        return self.approval.id if self.approval else None

    @property
    def required_approvals(self) -> int:
        return self.approval.required_approvals if self.approval else 0


def approval_payload(change: ChangeRequest) -> dict[str, Any]:
    """What the approval binds: exactly what will be written, where, and over what.

    The applier compares the stored change with this, field for field, so a
    change edited after approval is refused (rule 7).
    """
    payload: dict[str, Any] = normalize_json(
        {
            "change_id": change.id,
            "table": change.table.full_name,
            "key": dict(change.key),
            "set": dict(change.values),
            "before": dict(change.before),
            "reason": change.reason,
            "requested_by": change.requested_by,
        },
        "payload",
    )
    return payload
