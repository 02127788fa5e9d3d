"""Group commit of steps for one writer's audit stream.

Every step a process commits (and every plain audit append) goes through
one :class:`Commits` per audit stream. Concurrent commits share one store
write: a single flusher takes every step pending at the time (up to the
store's batch cost), chains their audit events in order after the stream's
head, and writes the batch; each caller waits for the batch holding its own
step. A step the store refuses is failed alone (its caller runs it again on
fresh state) and the rest of the batch is chained again and written without
it. A write whose outcome is unknown fails every caller of that batch;
nothing is acknowledged that was not stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from appkit_domain.audit.drafts import EventDraft, chain
from appkit_domain.audit.event import AuditEvent, Checkpoint
from appkit_domain.errors import Conflict, InvalidInput, StaleVersion
from appkit_domain.ports.ids import IdGenerator
from appkit_domain.unit_of_work.records import CommitBatch, StepCommit, StepRecord, StepsRejected

HEAD_RETRIES = 3


class CommitStore(Protocol):
    """What :class:`Commits` needs of a store (a subset of ``GovernanceStore``)."""

    max_batch_cost: int

    def cost(self, step: StepCommit) -> int: ...

    async def head(self, stream: str) -> Checkpoint | None: ...

    async def write(self, batch: CommitBatch) -> None: ...


@dataclass
class _Pending:
    step: StepCommit
    future: asyncio.Future[tuple[AuditEvent, ...]]


class Commits:
    """The group-commit pipeline of one audit stream (see the module docstring).

    ``max_batch_steps`` bounds how many steps share one write besides the
    store's own cost bound. ``on_commit`` is told of every batch once it is
    durable (metrics; it must not raise). Counters: ``writes`` (store writes attempted),
    ``batches`` (batches taken), ``rejected`` (steps refused).
    """

    def __init__(
        self,
        store: CommitStore,
        ids: IdGenerator,
        *,
        stream: str,
        max_batch_steps: int = 1000,
        on_commit: Callable[[CommitBatch], None] | None = None,
    ) -> None:
        if not stream or not stream.strip():
            raise InvalidInput("an audit stream needs a name")
        if max_batch_steps < 1:
            raise InvalidInput("max_batch_steps must be at least 1")
        self.store = store
        self.stream = stream
        self.max_batch_steps = max_batch_steps
        self._ids = ids
        self._on_commit = on_commit
        self._pending: list[_Pending] = []
        self._flusher: asyncio.Task[None] | None = None
        self._head: Checkpoint | None = None
        self._head_known = False
        self.writes = 0
        self.batches = 0
        self.rejected = 0

    async def commit(self, step: StepCommit) -> tuple[AuditEvent, ...]:
        """Make ``step`` durable (see the module docstring); returns its chained events."""
        cost = self.store.cost(step)
        if cost > self.store.max_batch_cost:
            raise InvalidInput(
                f"step {step.step.name} is too large for one commit ({cost} > "
                f"{self.store.max_batch_cost})"
            )
        loop = asyncio.get_running_loop()
        entry = _Pending(step, loop.create_future())
        self._pending.append(entry)
        if self._flusher is None or self._flusher.done():
            self._flusher = loop.create_task(self._flush())
        try:
            return await asyncio.shield(entry.future)
        except asyncio.CancelledError:
            # Not yet taken into a batch: drop it. Already in flight: it may land.
            if entry in self._pending:
                self._pending.remove(entry)
            raise

    async def append(self, draft: EventDraft) -> AuditEvent:
        """Make one audit event durable (a step of its own that changes no state)."""
        (event,) = await self.commit(
            StepCommit(StepRecord(draft.id, "audit.append", draft.at), events=(draft,))
        )
        return event

    def _take(self) -> list[_Pending]:
        batch: list[_Pending] = []
        total = 0
        for entry in self._pending:
            cost = self.store.cost(entry.step)
            if batch and (
                total + cost > self.store.max_batch_cost or len(batch) >= self.max_batch_steps
            ):
                break
            batch.append(entry)
            total += cost
        del self._pending[: len(batch)]
        return batch

    async def _flush(self) -> None:
        while self._pending:
            batch = self._take()
            self.batches += 1
            await self._write(batch)

    async def _write(self, batch: list[_Pending]) -> None:
        live = batch
        head_tries = 0
        while live:
            try:
                if not self._head_known:
                    self._head = await self.store.head(self.stream)
                    self._head_known = True
                drafts = [draft for entry in live for draft in entry.step.events]
                events = chain(self.stream, self._head, drafts)
                commit = CommitBatch(
                    self._ids.new_id("cmt-"), tuple(e.step for e in live), tuple(events)
                )
                self.writes += 1
                await self.store.write(commit)
            except StepsRejected as refused:
                self.rejected += len(refused.rejected)
                for index, error in refused.rejected.items():
                    _fail(live[index], error)
                live = [e for i, e in enumerate(live) if i not in refused.rejected]
                continue
            except Conflict as exc:
                if isinstance(exc, StaleVersion):
                    raise AssertionError("a store refuses steps with StepsRejected") from exc
                # The stream's head moved under this writer: reload it and chain again.
                self._head_known = False
                head_tries += 1
                if head_tries < HEAD_RETRIES:
                    continue
                error = Conflict(
                    f"audit stream {self.stream!r} kept changing under this writer; "
                    "is another process using the same stream name?"
                )
                for entry in live:
                    _fail(entry, error)
                return
            except Exception as exc:
                self._head_known = False
                for entry in live:
                    _fail(entry, exc)
                return
            if events:
                last = events[-1]
                self._head = Checkpoint(self.stream, last.seq, last.hash)
            if self._on_commit is not None:
                self._on_commit(commit)
            position = 0
            for entry in live:
                count = len(entry.step.events)
                if not entry.future.done():
                    entry.future.set_result(tuple(events[position : position + count]))
                position += count
            return


def _fail(entry: _Pending, error: BaseException) -> None:
    if not entry.future.done():
        entry.future.set_exception(error)
