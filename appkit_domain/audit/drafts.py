"""Audit events before they take their place in a stream: drafts, and chaining them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from appkit_domain.audit.chain import event_hash, genesis_hash
from appkit_domain.audit.event import AuditEvent, Checkpoint


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class EventDraft:
    """An audit event before it takes its place in a stream's chain (details redacted)."""

    id: str
    at: datetime
    actor: str
    action: str
    target: str
    details: Mapping[str, Any] = field(default_factory=_empty)
    on_behalf_of: str | None = None
    request_id: str | None = None


def chain(stream: str, head: Checkpoint | None, drafts: Sequence[EventDraft]) -> list[AuditEvent]:
    """``drafts`` as the next links of ``stream`` after ``head`` (hash chained, seq numbered)."""
    seq = head.seq if head else 0
    prev = head.hash if head else genesis_hash(stream)
    events = []
    for draft in drafts:
        seq += 1
        digest = event_hash(
            id=draft.id,
            stream=stream,
            seq=seq,
            at=draft.at,
            actor=draft.actor,
            on_behalf_of=draft.on_behalf_of,
            action=draft.action,
            target=draft.target,
            request_id=draft.request_id,
            details=draft.details,
            prev_hash=prev,
        )
        events.append(
            AuditEvent(
                id=draft.id,
                stream=stream,
                seq=seq,
                at=draft.at,
                actor=draft.actor,
                on_behalf_of=draft.on_behalf_of,
                action=draft.action,
                target=draft.target,
                request_id=draft.request_id,
                details=draft.details,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    return events
