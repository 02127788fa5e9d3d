# ruff: noqa: S608  (only quoted, validated identifiers and :markers are interpolated; values are parameters)
"""The audit store on a SQL warehouse: one batch is one statement.

``append`` writes the whole batch with a single ``INSERT ... SELECT`` over a
``VALUES`` list that inserts every row, or none when any ``(stream, seq)``
of the batch is already stored (``NOT EXISTS``). Each event travels as one
``STRING`` parameter holding its fields as JSON, unpacked in SQL with
``get_json_object``: Databricks accepts at most 256 parameters per
statement, so one parameter per event lets one statement carry
:data:`MAX_EVENTS_PER_STATEMENT` events. A larger batch is written as
consecutive statements of that size in sequence order; each statement is
atomic, so a failure can leave a stored prefix of the batch, which is still
a valid chain (the caller learns of the failure; a collision with another
writer at the stream's head is met by the first statement, which then
stores nothing). Configure ``AuditLog(max_batch=MAX_EVENTS_PER_STATEMENT)`` to
keep every batch atomic.

0 inserted rows means either a duplicate (``Conflict``) or that this very
batch already landed in an earlier run of the same statement whose response
was lost; one read of the batch's keys tells which (same event ids and
hashes: success). The statement is therefore safe to retry.

Batches are padded with NULL rows to a few fixed sizes so the statement text
takes few shapes (a warehouse that caches parsed statements parses each
once). The table is partitioned by stream and ``Serializable`` (see
:mod:`appkit_adapters.sql.schema`), so concurrent writers of one stream
conflict instead of both inserting, and writers of different streams do
not contend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from appkit_adapters.sql.schema import AUDIT_EVENTS, TABLES_BY_NAME, GovernanceSchema
from appkit_adapters.sql.stores.values import (
    bigint,
    from_json,
    in_list,
    limit_clause,
    string,
    timestamp,
    to_json,
    utc,
)
from appkit_adapters.sql.warehouse import SqlParameter, SqlWarehouse
from appkit_domain.audit.chain import format_time
from appkit_domain.audit.event import AuditEvent, AuditQuery, Checkpoint
from appkit_domain.errors import Conflict, InvalidInput
from appkit_domain.identifiers import quote
from appkit_domain.pagination import Page, decode_token, encode_token
from appkit_domain.ports.audit_store import AuditStore

_COLUMNS = TABLES_BY_NAME[AUDIT_EVENTS].column_names
_SELECT = ", ".join(quote(c) for c in _COLUMNS)
MAX_EVENTS_PER_STATEMENT = 200
"""Events per INSERT: one parameter each, plus the streams, under ``MAX_PARAMETERS``."""
_SHAPES = (1, 2, 4, 8, 16, 32, 64, 128, MAX_EVENTS_PER_STATEMENT)
_UNPACK = {
    "seq": "CAST(get_json_object(b.`e`, '$.seq') AS BIGINT)",
    "at": "CAST(get_json_object(b.`e`, '$.at') AS TIMESTAMP)",
}


def _packed(event: AuditEvent) -> str:
    """One event's fields as JSON text; ``details`` nested as its canonical JSON text."""
    return to_json(
        {
            "id": event.id,
            "stream": event.stream,
            "seq": str(event.seq),
            "at": format_time(event.at),
            "actor": event.actor,
            "on_behalf_of": event.on_behalf_of,
            "action": event.action,
            "target": event.target,
            "request_id": event.request_id,
            "details": to_json(event.details),
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }
    )


def _shape(count: int) -> int:
    return next(size for size in _SHAPES if size >= count)


def event_from_row(row: dict[str, Any]) -> AuditEvent:
    """An event exactly as stored (tampered rows included)."""
    return AuditEvent(
        id=row["id"],
        stream=row["stream"],
        seq=int(row["seq"]),
        at=utc(row["at"]),
        actor=row["actor"],
        on_behalf_of=row["on_behalf_of"],
        action=row["action"],
        target=row["target"],
        request_id=row["request_id"],
        details=from_json(row["details"]) or {},
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


class SqlAuditStore(AuditStore):
    """:class:`AuditStore` over the ``audit_events`` governance table."""

    def __init__(self, warehouse: SqlWarehouse, location: GovernanceSchema) -> None:
        self.warehouse = warehouse
        self.location = location
        self.table = location.table(AUDIT_EVENTS)

    def append_statement(self, events: Sequence[AuditEvent]) -> tuple[str, list[SqlParameter]]:
        """The one statement that appends ``events`` (at most :data:`MAX_EVENTS_PER_STATEMENT`)."""
        if not 0 < len(events) <= MAX_EVENTS_PER_STATEMENT:
            raise InvalidInput(f"one statement carries 1 to {MAX_EVENTS_PER_STATEMENT} events")
        size = _shape(len(events))
        params = [
            string(f"e{i}", _packed(events[i]) if i < len(events) else None) for i in range(size)
        ]
        streams = sorted({event.stream for event in events})
        markers, stream_params = in_list("st", streams)
        params.extend(stream_params)
        rows = ", ".join(f"(:e{i})" for i in range(size))
        columns = ", ".join(quote(c) for c in _COLUMNS)
        unpacked = ", ".join(_UNPACK.get(c, f"get_json_object(b.`e`, '$.{c}')") for c in _COLUMNS)
        statement = (
            f"INSERT INTO {self.table} ({columns}) "
            f"SELECT {unpacked} FROM (VALUES {rows}) AS b(`e`) "
            "WHERE b.`e` IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {self.table} AS a "
            f"INNER JOIN (VALUES {rows}) AS k(`e`) "
            "ON a.`stream` = get_json_object(k.`e`, '$.stream') "
            "AND a.`seq` = CAST(get_json_object(k.`e`, '$.seq') AS BIGINT) "
            f"WHERE a.`stream` IN {markers})"
        )
        return statement, params

    def insert_statement(
        self, events: Sequence[AuditEvent], prefix: str = "ev"
    ) -> tuple[str, list[SqlParameter]]:
        """A plain ``INSERT`` of ``events`` (one packed parameter each, ``{prefix}0``...) for a
        compound statement that checks the stream's head itself."""
        if not 0 < len(events) <= MAX_EVENTS_PER_STATEMENT:
            raise InvalidInput(f"one statement carries 1 to {MAX_EVENTS_PER_STATEMENT} events")
        params = [string(f"{prefix}{i}", _packed(event)) for i, event in enumerate(events)]
        rows = ", ".join(f"(:{p.name})" for p in params)
        columns = ", ".join(quote(c) for c in _COLUMNS)
        unpacked = ", ".join(_UNPACK.get(c, f"get_json_object(b.`e`, '$.{c}')") for c in _COLUMNS)
        statement = (
            f"INSERT INTO {self.table} ({columns}) SELECT {unpacked} FROM (VALUES {rows}) AS b(`e`)"
        )
        return statement, params

    async def stored_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of the event ids ``ids`` are stored."""
        found: set[str] = set()
        for start in range(0, len(ids), MAX_EVENTS_PER_STATEMENT):
            chunk = list(ids[start : start + MAX_EVENTS_PER_STATEMENT])
            markers, params = in_list("id", chunk)
            result = await self.warehouse.execute(
                f"SELECT `id` FROM {self.table} WHERE `id` IN {markers}", params, idempotent=True
            )
            found.update(str(row[0]) for row in result.rows)
        return found

    async def append(self, events: Sequence[AuditEvent]) -> None:
        if not events:
            return
        keys = [(event.stream, event.seq) for event in events]
        if len(set(keys)) != len(keys):
            raise Conflict("the batch holds one stream and sequence number twice")
        ordered = sorted(events, key=lambda e: (e.stream, e.seq))
        for start in range(0, len(ordered), MAX_EVENTS_PER_STATEMENT):
            await self._append_one(ordered[start : start + MAX_EVENTS_PER_STATEMENT])

    async def _append_one(self, events: Sequence[AuditEvent]) -> None:
        statement, params = self.append_statement(events)
        try:
            result = await self.warehouse.execute(statement, params, idempotent=True)
            inserted = result.affected_rows or 0
        except Conflict:
            inserted = 0
        if inserted == len(events):
            return
        if inserted != 0:  # pragma: no cover - the statement inserts all rows or none
            raise Conflict(f"the warehouse inserted {inserted} of {len(events)} audit events")
        if await self._already_stored(events):
            return
        raise Conflict("an audit event with this stream and sequence number is already stored")

    async def _already_stored(self, events: Sequence[AuditEvent]) -> bool:
        """Whether exactly these events (same ids and hashes) are stored at their keys."""
        by_stream: dict[str, list[AuditEvent]] = {}
        for event in events:
            by_stream.setdefault(event.stream, []).append(event)
        for stream, items in by_stream.items():
            low = min(e.seq for e in items)
            high = max(e.seq for e in items)
            result = await self.warehouse.execute(
                f"SELECT `seq`, `id`, `hash` FROM {self.table} "
                "WHERE `stream` = :stream AND `seq` >= :low AND `seq` <= :high",
                [string("stream", stream), bigint("low", low), bigint("high", high)],
                idempotent=True,
            )
            stored: dict[int, list[tuple[str, str]]] = {}
            for seq, event_id, digest in result.rows:
                stored.setdefault(int(seq), []).append((event_id, digest))
            for event in items:
                if stored.get(event.seq) != [(event.id, event.hash)]:
                    return False
        return True

    async def head(self, stream: str) -> Checkpoint | None:
        result = await self.warehouse.execute(
            f"SELECT `seq`, `hash` FROM {self.table} WHERE `stream` = :stream "
            "ORDER BY `seq` DESC LIMIT 1",
            [string("stream", stream)],
            idempotent=True,
        )
        if not result.rows:
            return None
        seq, digest = result.rows[0]
        return Checkpoint(stream, int(seq), digest)

    async def streams(self) -> list[str]:
        result = await self.warehouse.execute(
            f"SELECT DISTINCT `stream` FROM {self.table} ORDER BY `stream`", idempotent=True
        )
        return [row[0] for row in result.rows]

    async def read(self, stream: str, after_seq: int = 0, limit: int = 1000) -> list[AuditEvent]:
        if limit < 1:
            raise InvalidInput("limit must be at least 1")
        result = await self.warehouse.execute(
            f"SELECT {_SELECT} FROM {self.table} WHERE `stream` = :stream "
            "AND `seq` > :after AND `seq` <= :upto ORDER BY `seq`, `id`",
            [
                string("stream", stream),
                bigint("after", after_seq),
                bigint("upto", after_seq + limit),
            ],
            idempotent=True,
        )
        return [event_from_row(row) for row in result.dicts()]

    async def query(self, query: AuditQuery) -> Page[AuditEvent]:
        where = ["TRUE"]
        params: list[SqlParameter] = []
        for name in ("target", "actor", "action"):
            value = getattr(query, name)
            if value is not None:
                where.append(f"{quote(name)} = :{name}")
                params.append(string(name, value))
        if query.since is not None:
            where.append("`at` >= :since")
            params.append(timestamp("since", query.since))
        if query.until is not None:
            where.append("`at` < :until")
            params.append(timestamp("until", query.until))
        if query.streams:
            markers, stream_params = in_list("st", sorted(query.streams))
            where.append(f"`stream` IN {markers}")
            params.extend(stream_params)
        if query.page_token:
            at_text, stream, seq = decode_token(query.page_token, 3)
            try:
                after_at = utc(str(at_text))
                after_seq = int(seq)
            except (ValueError, InvalidInput):
                raise InvalidInput("page_token is not valid") from None
            where.append(
                "(`at` > :c_at OR (`at` = :c_at AND (`stream` > :c_stream "
                "OR (`stream` = :c_stream AND `seq` > :c_seq))))"
            )
            params.extend(
                [
                    timestamp("c_at", after_at),
                    string("c_stream", str(stream)),
                    bigint("c_seq", after_seq),
                ]
            )
        result = await self.warehouse.execute(
            f"SELECT {_SELECT} FROM {self.table} WHERE {' AND '.join(where)} "
            f"ORDER BY `at`, `stream`, `seq` {limit_clause(query.page_size)}",
            params,
            idempotent=True,
        )
        events = [event_from_row(row) for row in result.dicts()]
        items = events[: query.page_size]
        token = None
        if len(events) > query.page_size and items:
            last = items[-1]
            token = encode_token([format_time(last.at), last.stream, last.seq])
        return Page(items, token)
