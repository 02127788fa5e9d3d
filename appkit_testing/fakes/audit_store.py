"""An in-memory audit store.

``rows`` is the stored table, in insertion order, exactly as a SQL store
would hold it; tests may tamper with it to check that verification notices.
:meth:`InMemoryAuditStore.fail_next_append` makes the store refuse a batch as
an unreachable one would, to check that no state change is acknowledged
before its audit event is durable.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from appkit_domain.audit.chain import format_time
from appkit_domain.audit.event import AuditEvent, AuditQuery, Checkpoint
from appkit_domain.errors import Conflict, Unavailable
from appkit_domain.pagination import Page, decode_token, encode_token
from appkit_domain.ports.audit_store import AuditStore


class InMemoryAuditStore(AuditStore):
    def __init__(self) -> None:
        self.rows: list[AuditEvent] = []
        self.append_calls = 0
        self._keys: set[tuple[str, int]] = set()
        self.failed: list[AuditEvent] = []
        self._faults: list[str | None] = []

    def fail_next_append(self, action: str | None = None) -> None:
        """Refuse (with ``Unavailable``, storing nothing) the next batch holding ``action``.

        ``None`` refuses the next batch whatever it holds. Each call arms one
        refusal; refused events are kept in ``failed``.
        """
        self._faults.append(action)

    async def append(self, events: Sequence[AuditEvent]) -> None:
        self.append_calls += 1
        for fault in self._faults:
            if fault is None or any(event.action == fault for event in events):
                self._faults.remove(fault)
                self.failed.extend(events)
                raise Unavailable("the audit store cannot be reached")
        keys = [(event.stream, event.seq) for event in events]
        if len(set(keys)) != len(keys) or any(key in self._keys for key in keys):
            raise Conflict("an audit event with this stream and sequence number is already stored")
        self.rows.extend(events)
        self._keys.update(keys)

    def _stream_rows(self, stream: str) -> list[AuditEvent]:
        return sorted((e for e in self.rows if e.stream == stream), key=lambda e: e.seq)

    async def head(self, stream: str) -> Checkpoint | None:
        rows = self._stream_rows(stream)
        if not rows:
            return None
        last = rows[-1]
        return Checkpoint(stream, last.seq, last.hash)

    async def streams(self) -> list[str]:
        return sorted({event.stream for event in self.rows})

    async def read(self, stream: str, after_seq: int = 0, limit: int = 1000) -> list[AuditEvent]:
        rows = self._stream_rows(stream)
        seqs = [event.seq for event in rows]
        start = bisect.bisect_right(seqs, after_seq)
        stop = bisect.bisect_right(seqs, after_seq + limit)
        return rows[start:stop]

    async def query(self, query: AuditQuery) -> Page[AuditEvent]:
        def key(event: AuditEvent) -> tuple[str, str, int]:
            return (format_time(event.at), event.stream, event.seq)

        matching = sorted((e for e in self.rows if query.matches(e)), key=key)
        if query.page_token:
            at, stream, seq = decode_token(query.page_token, 3)
            cursor = (str(at), str(stream), int(seq))
            matching = [e for e in matching if key(e) > cursor]
        items = matching[: query.page_size]
        more = len(matching) > query.page_size
        token = encode_token(list(key(items[-1]))) if more and items else None
        return Page(items, token)
