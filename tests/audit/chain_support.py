"""Builders for valid audit chains used by the audit tests."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from appkit_domain.audit import AuditEvent, AuditLog, Checkpoint
from appkit_testing.fakes import ControllableClock, InMemoryAuditStore, SequentialIds

START = datetime(2026, 2, 1, 12, 0, tzinfo=timezone.utc)


async def build_chain(
    store: InMemoryAuditStore, counts: dict[str, int]
) -> tuple[list[AuditEvent], list[Checkpoint]]:
    clock = ControllableClock(START)
    ids = SequentialIds()
    events: list[AuditEvent] = []
    for stream, count in counts.items():
        log = AuditLog(store, clock, ids, stream=stream)
        for i in range(count):
            clock.advance(seconds=1)
            events.append(
                await log.append(
                    actor=f"user-{i % 3}",
                    action="approval.approve" if i % 2 else "override.propose",
                    target=f"approval:{i}",
                    request_id=f"req-{i}",
                    details={"i": i, "comment": f"step {i}"},
                )
            )
    checkpoints = [cp for cp in [await store.head(s) for s in counts] if cp is not None]
    return events, checkpoints


def chain(counts: dict[str, int]) -> tuple[InMemoryAuditStore, list[AuditEvent], list[Checkpoint]]:
    store = InMemoryAuditStore()
    events, checkpoints = asyncio.run(build_chain(store, counts))
    return store, events, checkpoints
