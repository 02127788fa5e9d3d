"""Property: any single mutation of a valid chain is detected; a valid chain always verifies."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from appkit_domain.audit import verify_streams
from appkit_testing.fakes import InMemoryAuditStore

from .chain_support import chain

FIELD_EDITS = {
    "actor": lambda e: replace(e, actor=e.actor + "x"),
    "action": lambda e: replace(e, action=e.action + ".x"),
    "target": lambda e: replace(e, target=e.target + "0"),
    "details": lambda e: replace(e, details={**e.details, "extra": 1}),
    "at": lambda e: replace(e, at=e.at + timedelta(microseconds=1)),
    "request_id": lambda e: replace(e, request_id=None),
    "on_behalf_of": lambda e: replace(e, on_behalf_of="sp-1"),
    "id": lambda e: replace(e, id=e.id + "x"),
    "seq": lambda e: replace(e, seq=e.seq + 100),
    "stream": lambda e: replace(e, stream=e.stream + "-moved"),
}

MUTATIONS = [
    *FIELD_EDITS,
    "delete",
    "duplicate",
    "swap",
    "flip_hash_bit",
    "flip_prev_hash_bit",
    "truncate",
]

counts = st.dictionaries(
    st.sampled_from(["app-1", "app-2", "app-3"]), st.integers(1, 12), min_size=1, max_size=3
)


def _flip(digest: str, position: int, bit: int) -> str:
    position %= len(digest)
    nibble = int(digest[position], 16) ^ (1 << bit)
    return digest[:position] + format(nibble, "x") + digest[position + 1 :]


def _mutate(store: InMemoryAuditStore, kind: str, pick: int, other: int, bit: int) -> None:
    rows = store.rows
    i = pick % len(rows)
    victim = rows[i]
    if kind in FIELD_EDITS:
        rows[i] = FIELD_EDITS[kind](victim)
    elif kind == "delete":
        del rows[i]
    elif kind == "duplicate":
        rows.append(replace(victim, id=victim.id + "-copy"))
    elif kind == "swap":
        same = [j for j, e in enumerate(rows) if e.stream == victim.stream and j != i]
        if not same:  # a stream of one event: swapping with itself is no mutation; delete instead
            del rows[i]
            return
        j = same[other % len(same)]
        rows[i], rows[j] = replace(rows[i], seq=rows[j].seq), replace(rows[j], seq=rows[i].seq)
    elif kind == "flip_hash_bit":
        rows[i] = replace(victim, hash=_flip(victim.hash, other, bit))
    elif kind == "flip_prev_hash_bit":
        rows[i] = replace(victim, prev_hash=_flip(victim.prev_hash, other, bit))
    elif kind == "truncate":
        store.rows = [e for e in rows if not (e.stream == victim.stream and e.seq >= victim.seq)]
    else:  # pragma: no cover
        raise AssertionError(kind)


@given(counts=counts)
def test_a_valid_chain_always_verifies(counts: dict[str, int]) -> None:
    store, _, checkpoints = chain(counts)
    report = asyncio.run(verify_streams(store, checkpoints))
    assert report.ok, report.first_broken


@given(
    counts=counts,
    kind=st.sampled_from(MUTATIONS),
    pick=st.integers(0, 10_000),
    other=st.integers(0, 10_000),
    bit=st.integers(0, 3),
)
def test_any_single_mutation_is_detected(
    counts: dict[str, int], kind: str, pick: int, other: int, bit: int
) -> None:
    store, _, checkpoints = chain(counts)
    _mutate(store, kind, pick, other, bit)
    report = asyncio.run(verify_streams(store, checkpoints))
    assert not report.ok, f"{kind} went unnoticed"
