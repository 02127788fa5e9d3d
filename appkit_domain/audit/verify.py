"""Verification of audit hash chains: find the first broken link."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from appkit_domain.audit.chain import genesis_hash, hash_of
from appkit_domain.audit.event import Checkpoint
from appkit_domain.ports.audit_store import AuditStore

READ_BATCH = 1000


@dataclass(frozen=True)
class BrokenLink:
    """Where a chain stops being trustworthy, and why."""

    stream: str
    seq: int
    event_id: str | None
    reason: str


@dataclass(frozen=True)
class StreamReport:
    stream: str
    events: int
    head_seq: int
    head_hash: str | None
    broken: BrokenLink | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


@dataclass(frozen=True)
class VerifyReport:
    streams: tuple[StreamReport, ...]

    @property
    def ok(self) -> bool:
        return all(report.ok for report in self.streams)

    @property
    def first_broken(self) -> BrokenLink | None:
        for report in self.streams:
            if report.broken is not None:
                return report.broken
        return None


async def verify_streams(store: AuditStore, checkpoints: Iterable[Checkpoint] = ()) -> VerifyReport:
    """Walk every stream in the store (and every checkpointed stream) and check each link.

    A link is broken when its stream field names another stream, its
    sequence number is not the next one, its ``prev_hash`` is not the previous
    event's hash, or its hash does not match its content. A checkpoint
    detects truncation and rewriting below it: the event at the checkpoint's
    sequence number must exist and carry the checkpoint's hash.
    """
    by_stream: dict[str, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        by_stream.setdefault(checkpoint.stream, []).append(checkpoint)
    names = sorted(set(await store.streams()) | set(by_stream))
    reports = [await _verify_stream(store, name, by_stream.get(name, [])) for name in names]
    return VerifyReport(tuple(reports))


async def _verify_stream(
    store: AuditStore, stream: str, checkpoints: list[Checkpoint]
) -> StreamReport:
    expected_prev = genesis_hash(stream)
    expected_seq = 1
    count = 0
    wanted = {cp.seq: cp for cp in checkpoints}

    def report(broken: BrokenLink | None) -> StreamReport:
        head_hash = None if expected_seq == 1 else expected_prev
        return StreamReport(stream, count, expected_seq - 1, head_hash, broken)

    after = 0
    while True:
        batch = await store.read(stream, after_seq=after, limit=READ_BATCH)
        for event in batch:
            reason = None
            if event.stream != stream:
                reason = f"event is stored in stream {stream!r} but names stream {event.stream!r}"
            elif event.seq < expected_seq:
                reason = f"duplicate sequence number {event.seq}"
            elif event.seq > expected_seq:
                reason = f"sequence number {expected_seq} is missing (next stored is {event.seq})"
            elif event.prev_hash != expected_prev:
                reason = "prev_hash does not match the previous event's hash"
            elif hash_of(event) != event.hash:
                reason = "hash does not match the event's content"
            elif event.seq in wanted and wanted[event.seq].hash != event.hash:
                reason = "hash differs from the checkpoint taken at this sequence number"
            if reason is not None:
                at_seq = expected_seq if event.seq > expected_seq else event.seq
                return report(BrokenLink(stream, at_seq, event.id, reason))
            expected_prev = event.hash
            expected_seq += 1
            count += 1
        if not batch:
            break
        after += READ_BATCH
    head = await store.head(stream)
    if head is not None and head.seq >= expected_seq:
        reason = f"sequence number {expected_seq} is missing (the stream goes on to {head.seq})"
        return report(BrokenLink(stream, expected_seq, None, reason))
    beyond = [cp for cp in checkpoints if cp.seq >= expected_seq]
    if beyond:
        cp = min(beyond, key=lambda c: c.seq)
        reason = (
            f"stream ends at sequence number {expected_seq - 1} but a checkpoint names {cp.seq}"
        )
        return report(BrokenLink(stream, expected_seq, None, reason))
    return report(None)
