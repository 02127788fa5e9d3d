"""The contract every :class:`~appkit_domain.ports.governance_store.GovernanceStore` honours.

Subclass :class:`GovernanceStoreContract` and provide a ``store`` fixture that
yields an empty store holding approval requests and data-quality exceptions::

    class TestMyGovernanceStore(GovernanceStoreContract):
        @pytest.fixture
        async def store(self):
            yield MyGovernanceStore(...)

The suite commits batches directly (as the commit pipeline does) and reads
back through the store itself.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from appkit_domain.approvals import APPROVAL_REQUESTS, ApprovalRequest, ApprovalStatus
from appkit_domain.audit.drafts import EventDraft, chain
from appkit_domain.dq.exception import DQ_EXCEPTIONS
from appkit_domain.errors import Conflict, StaleVersion
from appkit_domain.ports.governance_store import GovernanceStore
from appkit_domain.unit_of_work import (
    AggregateWrite,
    CommitBatch,
    StepCommit,
    StepRecord,
    StepsRejected,
)
from appkit_testing.contracts.approval_store import START, make_request
from appkit_testing.contracts.dq_store import sample_exception

STREAM = "contract-stream"
_numbers = itertools.count(1)


def step(
    *writes: AggregateWrite,
    events: int = 0,
    principal: str | None = None,
    key: str | None = None,
    outcome: dict[str, Any] | None = None,
) -> StepCommit:
    n = next(_numbers)
    drafts = tuple(
        EventDraft(f"evt-c{n}-{i}", START, "u-alice", "contract.event", f"thing:{n}", {"i": i})
        for i in range(events)
    )
    record = StepRecord(
        f"stp-c{n}", "contract.step", START, principal, key, "hash-1", outcome or {"n": n}
    )
    return StepCommit(record, writes, (), drafts)


async def commit(store: GovernanceStore, *steps: StepCommit) -> CommitBatch:
    head = await store.head(STREAM)
    events = chain(STREAM, head, [d for s in steps for d in s.events])
    batch = CommitBatch(f"cmt-c{next(_numbers)}", steps, tuple(events))
    await store.write(batch)
    return batch


def insert(item: Any) -> AggregateWrite:
    kind = APPROVAL_REQUESTS if isinstance(item, ApprovalRequest) else DQ_EXCEPTIONS
    return AggregateWrite(kind, item, None)


def update(previous: ApprovalRequest, **changes: Any) -> AggregateWrite:
    item = replace(previous, version=previous.version + 1, **changes)
    return AggregateWrite(APPROVAL_REQUESTS, item, previous.version, previous)


@pytest.mark.asyncio
class GovernanceStoreContract:
    """Behaviour shared by every governance store (the subclass provides ``store``)."""

    async def test_a_committed_insert_loads_back_exactly(self, store: GovernanceStore) -> None:
        request = make_request(1)
        await commit(store, step(insert(request)))
        assert await store.load(APPROVAL_REQUESTS, request.id, fresh=True) == request
        assert await store.load(APPROVAL_REQUESTS, "apr-none", fresh=True) is None

    async def test_a_save_at_the_read_version_replaces(self, store: GovernanceStore) -> None:
        request = make_request(2)
        await commit(store, step(insert(request)))
        write = update(request, status=ApprovalStatus.WITHDRAWN, reason="dup")
        await commit(store, step(write))
        assert await store.load(APPROVAL_REQUESTS, request.id, fresh=True) == write.item

    async def test_a_stale_save_is_refused_and_changes_nothing(
        self, store: GovernanceStore
    ) -> None:
        request = make_request(3)
        await commit(store, step(insert(request)))
        await commit(store, step(update(request, reason="first")))
        with pytest.raises(StepsRejected) as refused:
            await commit(store, step(update(request, reason="second")), step(events=1))
        assert set(refused.value.rejected) == {0}
        assert isinstance(refused.value.rejected[0], StaleVersion)
        stored = await store.load(APPROVAL_REQUESTS, request.id, fresh=True)
        assert stored is not None and (stored.reason, stored.version) == ("first", 2)

    async def test_an_insert_of_a_taken_id_or_unique_value_is_refused(
        self, store: GovernanceStore
    ) -> None:
        await commit(store, step(insert(make_request(4))))
        with pytest.raises(StepsRejected):
            await commit(store, step(insert(replace(make_request(4), target="other"))))
        first = sample_exception(1)
        await commit(store, step(insert(first)))
        with pytest.raises(StepsRejected):
            await commit(store, step(insert(replace(sample_exception(1), id="dqx-other"))))
        assert await store.find(DQ_EXCEPTIONS, "fingerprint", first.fingerprint, fresh=True) == [
            first
        ]

    async def test_a_step_commits_all_of_its_writes_or_none(self, store: GovernanceStore) -> None:
        taken = make_request(5)
        await commit(store, step(insert(taken)))
        fresh = make_request(6)
        with pytest.raises(StepsRejected):
            await commit(store, step(insert(fresh), insert(taken), events=2))
        assert await store.load(APPROVAL_REQUESTS, fresh.id, fresh=True) is None
        assert await store.head(STREAM) is None

    async def test_the_other_steps_of_a_refused_batch_commit_when_sent_again(
        self, store: GovernanceStore
    ) -> None:
        request = make_request(7)
        await commit(store, step(insert(request)))
        await commit(store, step(update(request, reason="moved")))
        good = make_request(8)
        stale = step(update(request, reason="stale"))
        fine = step(insert(good), events=1)
        with pytest.raises(StepsRejected) as refused:
            await commit(store, fine, stale)
        assert set(refused.value.rejected) == {1}
        await commit(store, fine)
        assert await store.load(APPROVAL_REQUESTS, good.id, fresh=True) == good
        assert await store.events_stored(fine)

    async def test_audit_events_are_stored_with_their_batch(self, store: GovernanceStore) -> None:
        first = step(insert(make_request(9)), events=2)
        second = step(events=1)
        batch = await commit(store, first, second)
        head = await store.head(STREAM)
        assert head is not None and (head.seq, head.hash) == (3, batch.events[-1].hash)
        assert await store.events_stored(first) and await store.events_stored(second)

    async def test_a_batch_sent_again_after_an_unknown_outcome_is_not_written_twice(
        self, store: GovernanceStore
    ) -> None:
        request = make_request(10)
        head = await store.head(STREAM)
        steps = (step(insert(request), events=1),)
        events = chain(STREAM, head, [d for s in steps for d in s.events])
        batch = CommitBatch("cmt-resent", steps, tuple(events))
        await store.write(batch)
        await store.write(batch)  # its answer was lost: the pipeline sends it again
        stored_head = await store.head(STREAM)
        assert stored_head is not None and stored_head.seq == (head.seq if head else 0) + 1
        assert await store.load(APPROVAL_REQUESTS, request.id, fresh=True) == request

    async def test_an_event_at_a_taken_sequence_number_is_a_conflict(
        self, store: GovernanceStore
    ) -> None:
        await commit(store, step(events=1))
        drafts = step(events=1)
        events = chain(STREAM, None, drafts.events)  # chained as if the stream were empty
        with pytest.raises(Conflict):
            await store.write(CommitBatch("cmt-taken", (drafts,), tuple(events)))

    async def test_a_step_record_answers_its_idempotency_key(self, store: GovernanceStore) -> None:
        done = step(insert(make_request(11)), principal="u-alice", key="k-1", outcome={"id": 11})
        await commit(store, done)
        recorded = await store.recorded_step("u-alice", "k-1")
        assert recorded is not None and recorded.id == done.step.id
        assert dict(recorded.outcome) == {"id": 11} and recorded.request_hash == "hash-1"
        assert await store.recorded_step("u-bob", "k-1") is None
        with pytest.raises(StepsRejected):
            await commit(store, step(insert(make_request(12)), principal="u-alice", key="k-1"))

    async def test_concurrent_saves_of_one_version_let_exactly_one_commit(
        self, store: GovernanceStore
    ) -> None:
        request = make_request(13)
        await commit(store, step(insert(request)))
        outcomes = await asyncio.gather(
            *(commit(store, step(update(request, reason=f"w{i}"))) for i in range(6)),
            return_exceptions=True,
        )
        assert sum(isinstance(o, CommitBatch) for o in outcomes) == 1
        assert all(isinstance(o, (CommitBatch, StepsRejected, Conflict)) for o in outcomes)
        stored = await store.load(APPROVAL_REQUESTS, request.id, fresh=True)
        assert stored is not None and stored.version == 2

    async def test_nothing_is_left_half_done(self, store: GovernanceStore) -> None:
        await commit(store, step(insert(make_request(14)), events=1))
        later = datetime(2100, 1, 1, tzinfo=timezone.utc) + timedelta(days=1)
        assert list(await store.unfinished(later)) == []
