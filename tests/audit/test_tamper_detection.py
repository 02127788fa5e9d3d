"""Every corruption of a valid log is detected by ``verify`` (governance.md, Audit)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from appkit_domain.audit import AuditEvent, Checkpoint, event_hash, verify_streams
from appkit_domain.audit.chain import hash_of
from appkit_testing.fakes import InMemoryAuditStore

from .chain_support import chain


def verify(store: InMemoryAuditStore, checkpoints: list[Checkpoint] | None = None):  # type: ignore[no-untyped-def]
    return asyncio.run(verify_streams(store, checkpoints or []))


def index_of(store: InMemoryAuditStore, stream: str, seq: int) -> int:
    return next(i for i, e in enumerate(store.rows) if e.stream == stream and e.seq == seq)


@pytest.fixture
def valid():  # type: ignore[no-untyped-def]
    return chain({"app-1": 8, "app-2": 3})


def test_a_valid_log_verifies(valid) -> None:  # type: ignore[no-untyped-def]
    store, _events, checkpoints = valid
    report = verify(store, checkpoints)
    assert report.ok
    assert report.first_broken is None
    assert [(s.stream, s.events, s.head_seq) for s in report.streams] == [
        ("app-1", 8, 8),
        ("app-2", 3, 3),
    ]


def test_edited_field_is_detected(valid) -> None:  # type: ignore[no-untyped-def]
    store, _, _ = valid
    i = index_of(store, "app-1", 4)
    store.rows[i] = replace(store.rows[i], actor="mallory")
    broken = verify(store).first_broken
    assert broken is not None
    assert (broken.stream, broken.seq) == ("app-1", 4)
    assert "content" in broken.reason


def test_edited_details_are_detected(valid) -> None:  # type: ignore[no-untyped-def]
    store, _, _ = valid
    i = index_of(store, "app-1", 2)
    store.rows[i] = replace(store.rows[i], details={"i": 1, "comment": "approved by the board"})
    assert verify(store).first_broken.seq == 2  # type: ignore[union-attr]


def test_deleted_event_is_detected(valid) -> None:  # type: ignore[no-untyped-def]
    store, _, _ = valid
    del store.rows[index_of(store, "app-1", 5)]
    broken = verify(store).first_broken
    assert broken is not None and broken.seq == 5
    assert "missing" in broken.reason


def test_inserted_event_is_detected(valid) -> None:  # type: ignore[no-untyped-def]
    store, _, _ = valid
    prev = store.rows[index_of(store, "app-1", 3)]
    fields = dict(
        id="evt-forged",
        stream="app-1",
        seq=4,
        at=prev.at + timedelta(milliseconds=1),
        actor="mallory",
        on_behalf_of=None,
        action="approval.approve",
        target="approval:3",
        request_id=None,
        details={},
        prev_hash=prev.hash,
    )
    forged = AuditEvent(hash=event_hash(**fields), **fields)  # type: ignore[arg-type]
    # The forger renumbers every later event to make room.
    for i, e in enumerate(store.rows):
        if e.stream == "app-1" and e.seq >= 4:
            store.rows[i] = replace(e, seq=e.seq + 1)
    store.rows.append(forged)
    broken = verify(store).first_broken
    assert broken is not None and broken.seq == 5


def test_two_events_swapped_is_detected(valid) -> None:  # type: ignore[no-untyped-def]
    store, _, _ = valid
    a, b = index_of(store, "app-1", 3), index_of(store, "app-1", 6)
    store.rows[a], store.rows[b] = replace(store.rows[a], seq=6), replace(store.rows[b], seq=3)
    broken = verify(store).first_broken
    assert broken is not None and broken.seq == 3


def test_truncated_tail_is_detected_against_a_checkpoint(valid) -> None:  # type: ignore[no-untyped-def]
    store, _, checkpoints = valid
    store.rows = [e for e in store.rows if not (e.stream == "app-1" and e.seq > 6)]
    # Without a checkpoint a shorter chain is still a valid chain: that is why checkpoints exist.
    assert verify(store).ok
    broken = verify(store, checkpoints).first_broken
    assert broken is not None
    assert (broken.stream, broken.seq) == ("app-1", 7)
    assert "checkpoint" in broken.reason


def test_tail_rewritten_below_checkpoint_is_detected(valid) -> None:  # type: ignore[no-untyped-def]
    store, _, checkpoints = valid
    # Rewrite the last event with a fresh, self-consistent hash: only the checkpoint can tell.
    i = index_of(store, "app-2", 3)
    edited = replace(store.rows[i], actor="mallory")
    store.rows[i] = replace(edited, hash=hash_of(edited))
    assert verify(store).ok
    broken = verify(store, checkpoints).first_broken
    assert broken is not None and (broken.stream, broken.seq) == ("app-2", 3)


def test_one_bit_flipped_in_a_stored_hash_is_detected(valid) -> None:  # type: ignore[no-untyped-def]
    store, _, _ = valid
    i = index_of(store, "app-1", 2)
    digest = store.rows[i].hash
    flipped = digest[:10] + format(int(digest[10], 16) ^ 0b0100, "x") + digest[11:]
    store.rows[i] = replace(store.rows[i], hash=flipped)
    broken = verify(store).first_broken
    assert broken is not None and broken.seq == 2


def test_event_moved_to_another_stream_is_detected(valid) -> None:  # type: ignore[no-untyped-def]
    store, _, _ = valid
    i = index_of(store, "app-1", 8)
    store.rows[i] = replace(store.rows[i], stream="app-2", seq=4)
    report = verify(store)
    assert not report.ok
    app2 = next(s for s in report.streams if s.stream == "app-2")
    assert app2.broken is not None and app2.broken.seq == 4


def test_duplicated_sequence_number_is_detected(valid) -> None:  # type: ignore[no-untyped-def]
    store, _, _ = valid
    store.rows.append(replace(store.rows[index_of(store, "app-1", 3)], id="evt-copy"))
    broken = verify(store).first_broken
    assert broken is not None and broken.seq == 3
    assert "duplicate" in broken.reason


def test_checkpoint_for_a_vanished_stream_is_detected(valid) -> None:  # type: ignore[no-untyped-def]
    store, _, checkpoints = valid
    store.rows = [e for e in store.rows if e.stream != "app-2"]
    broken = verify(store, checkpoints).first_broken
    assert broken is not None and broken.stream == "app-2"
