"""The audit log service: one writer's chain, appended with group commit."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from appkit_domain.audit.chain import event_hash, genesis_hash, normalize_json
from appkit_domain.audit.event import AuditEvent, AuditQuery, Checkpoint
from appkit_domain.audit.redaction import Redactor
from appkit_domain.audit.verify import VerifyReport, verify_streams
from appkit_domain.errors import Conflict, InvalidInput
from appkit_domain.pagination import Page
from appkit_domain.ports.audit_store import AuditStore
from appkit_domain.ports.clock import Clock
from appkit_domain.ports.ids import IdGenerator

CONFLICT_RETRIES = 3


@dataclass(frozen=True)
class _Draft:
    id: str
    at: datetime
    actor: str
    on_behalf_of: str | None
    action: str
    target: str
    request_id: str | None
    details: Mapping[str, Any]


class AuditLog:
    """Appends events to this writer's stream and answers queries over all streams.

    ``append`` returns only after the event is durable in the store.
    Concurrent appends share one store write (group commit): a single flusher
    task writes every event pending at the time in one batch while later
    callers queue for the next, and each caller waits for the batch holding
    its own event. A failed write fails every caller of that batch; nothing
    is acknowledged that was not stored.
    """

    def __init__(
        self,
        store: AuditStore,
        clock: Clock,
        ids: IdGenerator,
        *,
        stream: str,
        redactor: Redactor | None = None,
        max_batch: int = 500,
    ) -> None:
        if not stream or not stream.strip():
            raise InvalidInput("an audit stream needs a name")
        self.store = store
        self.stream = stream
        self._clock = clock
        self._ids = ids
        self._redactor = redactor or Redactor()
        self.max_batch = max_batch
        self._pending: list[tuple[_Draft, asyncio.Future[AuditEvent]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._head: Checkpoint | None = None
        self._head_known = False

    async def append(
        self,
        *,
        actor: str,
        action: str,
        target: str,
        details: Mapping[str, Any] | None = None,
        on_behalf_of: str | None = None,
        request_id: str | None = None,
    ) -> AuditEvent:
        """Record one event and return it once it is durable."""
        for name, value in (("actor", actor), ("action", action), ("target", target)):
            if not value:
                raise InvalidInput(f"an audit event needs a non-empty {name}")
        draft = _Draft(
            id=self._ids.new_id("evt-"),
            at=self._clock.now(),
            actor=actor,
            on_behalf_of=on_behalf_of,
            action=action,
            target=target,
            request_id=request_id,
            details=normalize_json(self._redactor.redact(details or {})),
        )
        future: asyncio.Future[AuditEvent] = asyncio.get_running_loop().create_future()
        entry = (draft, future)
        self._pending.append(entry)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            # Not yet taken into a batch: drop it. Already in flight: it may land.
            if entry in self._pending:
                self._pending.remove(entry)
            raise

    async def _flush(self) -> None:
        while self._pending:
            batch = self._pending[: self.max_batch]
            del self._pending[: len(batch)]
            await self._commit(batch)

    async def _commit(self, batch: list[tuple[_Draft, asyncio.Future[AuditEvent]]]) -> None:
        try:
            events = await self._append_chained([draft for draft, _ in batch])
        except Exception as exc:
            self._head_known = False
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), event in zip(batch, events):
            if not future.done():
                future.set_result(event)

    async def _append_chained(self, drafts: Sequence[_Draft]) -> list[AuditEvent]:
        for attempt in range(CONFLICT_RETRIES):
            if not self._head_known:
                self._head = await self.store.head(self.stream)
                self._head_known = True
            events = self._chain(self._head, drafts)
            try:
                await self.store.append(events)
            except Conflict as exc:
                # Another writer used this stream: reload its head and chain again.
                self._head_known = False
                if attempt + 1 == CONFLICT_RETRIES:
                    raise Conflict(
                        f"audit stream {self.stream!r} kept changing under this writer; "
                        "is another process using the same stream name?"
                    ) from exc
                continue
            self._head = Checkpoint(self.stream, events[-1].seq, events[-1].hash)
            return events
        raise AssertionError("unreachable")  # pragma: no cover

    def _chain(self, head: Checkpoint | None, drafts: Sequence[_Draft]) -> list[AuditEvent]:
        seq = head.seq if head else 0
        prev = head.hash if head else genesis_hash(self.stream)
        events = []
        for draft in drafts:
            seq += 1
            fields: dict[str, Any] = {
                "id": draft.id,
                "stream": self.stream,
                "seq": seq,
                "at": draft.at,
                "actor": draft.actor,
                "on_behalf_of": draft.on_behalf_of,
                "action": draft.action,
                "target": draft.target,
                "request_id": draft.request_id,
                "details": draft.details,
                "prev_hash": prev,
            }
            digest = event_hash(**fields)
            events.append(AuditEvent(hash=digest, **fields))
            prev = digest
        return events

    async def checkpoint(self) -> Checkpoint | None:
        """The head of this writer's stream as stored now; keep it outside the store."""
        return await self.store.head(self.stream)

    async def checkpoints(self) -> list[Checkpoint]:
        """The heads of every stream in the store."""
        heads = [await self.store.head(name) for name in await self.store.streams()]
        return [head for head in heads if head is not None]

    async def verify(self, checkpoints: Iterable[Checkpoint] = ()) -> VerifyReport:
        """Verify every stream; see :func:`appkit_domain.audit.verify.verify_streams`."""
        return await verify_streams(self.store, checkpoints)

    async def query(self, query: AuditQuery) -> Page[AuditEvent]:
        return await self.store.query(query)
