# ruff: noqa: S608  (only quoted, validated identifiers and :markers are interpolated; values are parameters)
"""The audit store on a SQL warehouse: one batch is one statement.

``append`` writes the whole batch with a single ``INSERT ... SELECT`` over a
``VALUES`` list that inserts every row, or none when any ``(stream, seq)``
of the batch is already stored (``NOT EXISTS`` over the batch's streams).
0 inserted rows then means either a duplicate (``Conflict``) or that this
very batch already landed in an earlier run of the same statement whose
response was lost; one read of the batch's keys tells which (same event ids
and hashes: success). The statement is therefore safe to retry.

The table is partitioned by stream and ``Serializable`` (see
:mod:`appkit_adapters.sql.schema`), so concurrent writers of one stream
conflict instead of both inserting, and writers of different streams do
not contend.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
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
_PADDING = AuditEvent(
    id="",
    stream="",
    seq=0,
    at=datetime(1970, 1, 1, tzinfo=timezone.utc),
    actor="",
    action="",
    target="",
    details={},
    prev_hash="",
    hash="",
)


def _event_params(i: int, event: AuditEvent) -> list[SqlParameter]:
    return [
        string(f"id{i}", event.id),
        string(f"stream{i}", event.stream),
        bigint(f"seq{i}", event.seq),
        timestamp(f"at{i}", event.at),
        string(f"actor{i}", event.actor),
        string(f"on_behalf_of{i}", event.on_behalf_of),
        string(f"action{i}", event.action),
        string(f"target{i}", event.target),
        string(f"request_id{i}", event.request_id),
        string(f"details{i}", to_json(event.details)),
        string(f"prev_hash{i}", event.prev_hash),
        string(f"hash{i}", event.hash),
    ]


def _padding_params(i: int) -> list[SqlParameter]:
    """A row of typed NULLs that pads a batch to its statement shape."""
    return [SqlParameter(f"{p.name}", None, p.type) for p in _event_params(i, _PADDING)]


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
        """The one statement that appends ``events`` (exposed for inspection and benchmarks).

        A batch of one stream (what :class:`AuditLog` writes) is padded with
        all-NULL rows up to the next power of two, so the statement text takes
        one of a few shapes and a warehouse that caches parsed statements
        parses each shape once; the padding rows are filtered out.
        """
        streams = {event.stream for event in events}
        size = len(events)
        if len(streams) == 1:
            size = 1 << (len(events) - 1).bit_length()
        params: list[SqlParameter] = []
        rows = []
        for i in range(size):
            row = _event_params(i, events[i]) if i < len(events) else _padding_params(i)
            params.extend(row)
            rows.append("(" + ", ".join(f":{p.name}" for p in row) + ")")
        if len(streams) == 1:
            seqs = ", ".join(f":seq{i}" for i in range(size))
            taken = f"a.`stream` = :stream0 AND a.`seq` IN ({seqs})"
        else:
            seqs_of_stream: dict[str, list[str]] = {}
            stream_marker: dict[str, str] = {}
            for i, event in enumerate(events):
                stream_marker.setdefault(event.stream, f":stream{i}")
                seqs_of_stream.setdefault(event.stream, []).append(f":seq{i}")
            taken = " OR ".join(
                f"(a.`stream` = {stream_marker[stream]} AND a.`seq` IN ({', '.join(seqs)}))"
                for stream, seqs in seqs_of_stream.items()
            )
        columns = ", ".join(quote(c) for c in _COLUMNS)
        statement = (
            f"INSERT INTO {self.table} ({columns}) "
            f"SELECT {', '.join('b.' + quote(c) for c in _COLUMNS)} "
            f"FROM (VALUES {', '.join(rows)}) AS b({columns}) "
            f"WHERE b.`id` IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {self.table} AS a WHERE {taken})"
        )
        return statement, params

    async def append(self, events: Sequence[AuditEvent]) -> None:
        if not events:
            return
        keys = [(event.stream, event.seq) for event in events]
        if len(set(keys)) != len(keys):
            raise Conflict("the batch holds one stream and sequence number twice")
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
