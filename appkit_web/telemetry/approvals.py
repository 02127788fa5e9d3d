"""Counting approval requests by the state they reach, from the audited transitions.

Every approval transition stages an ``approval.*`` audit event whose details
name the state reached (``to``) and the request kind; counting the events of
the batches the commit pipeline made durable counts exactly the transitions
that happened, once each.
"""

from __future__ import annotations

from collections.abc import Callable

from appkit_domain.unit_of_work import CommitBatch
from appkit_web.telemetry.setup import Telemetry


def approval_counter(telemetry: Telemetry | None) -> Callable[[CommitBatch], None] | None:
    """What the commit pipeline calls with each durable batch: counts its approval
    transitions by the state reached and the request kind (None without telemetry)."""
    if telemetry is None:
        return None

    def count(batch: CommitBatch) -> None:
        for event in batch.events:
            if not event.action.startswith("approval."):
                continue
            state = event.details.get("to")
            if isinstance(state, str):
                kind = str(event.details.get("kind") or "unknown")
                telemetry.approvals.add(1, {"appkit.state": state, "appkit.kind": kind})

    return count
