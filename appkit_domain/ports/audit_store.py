"""Audit store port: durable, append-only storage of hash-chained events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from appkit_domain.audit.event import AuditEvent, AuditQuery, Checkpoint
from appkit_domain.pagination import Page


class AuditStore(Protocol):
    """Durable, append-only storage of hash-chained audit events.

    Contract suite: :class:`appkit_testing.contracts.audit_store.AuditStoreContract`.
    """

    async def append(self, events: Sequence[AuditEvent]) -> None:
        """Store ``events`` atomically: all of them durably, or none.

        Events in one call may belong to several streams. If any
        ``(stream, seq)`` of the batch is already stored, raise
        :class:`appkit_domain.errors.Conflict` and store nothing. Return only
        once the batch is durable. Never modify or delete stored events.
        """
        ...

    async def head(self, stream: str) -> Checkpoint | None:
        """Return the stored event with the highest ``seq`` of ``stream`` as a checkpoint, or None."""
        ...

    async def streams(self) -> list[str]:
        """Return the names of every stream that has events, sorted."""
        ...

    async def read(self, stream: str, after_seq: int = 0, limit: int = 1000) -> list[AuditEvent]:
        """Return the events of ``stream`` with ``after_seq < seq <= after_seq + limit``, by seq.

        The window is a range of sequence numbers, not a count, so every copy
        of a duplicated sequence number comes back in the same call.

        Events are returned exactly as stored, including any that were
        tampered with: verification depends on seeing what is there.
        """
        ...

    async def query(self, query: AuditQuery) -> Page[AuditEvent]:
        """Return events matching ``query`` ordered by ``(at, stream, seq)``, one page at a time."""
        ...
