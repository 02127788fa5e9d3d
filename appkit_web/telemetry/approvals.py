"""Counting approval requests by the state they reach, from the audited transitions.

Every approval transition appends an ``approval.*`` audit event whose details
name the state reached (``to``) and the request kind; counting what the audit
store accepted counts exactly the transitions that happened, once each.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from appkit_domain.audit import AuditEvent
from appkit_domain.ports.audit_store import AuditStore
from appkit_web.telemetry.setup import Telemetry


class MeteredAuditStore:
    """Delegates to ``inner``; after each append, counts the approval transitions in it."""

    def __init__(self, inner: AuditStore, telemetry: Telemetry) -> None:
        self.inner = inner
        self.telemetry = telemetry

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def append(self, events: Sequence[AuditEvent]) -> None:
        await self.inner.append(events)
        for event in events:
            if not event.action.startswith("approval."):
                continue
            state = event.details.get("to")
            if isinstance(state, str):
                kind = str(event.details.get("kind") or "unknown")
                self.telemetry.approvals.add(1, {"appkit.state": state, "appkit.kind": kind})


def metered(store: AuditStore, telemetry: Telemetry | None) -> Any:
    return store if telemetry is None else MeteredAuditStore(store, telemetry)
