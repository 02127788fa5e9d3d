# ruff: noqa: S608  (only quoted, validated identifiers and :markers are interpolated; values are parameters)
"""A batch of steps as one ``BEGIN ATOMIC ... END`` compound statement: one round trip.

The block first refuses a batch that already committed (its ``commit_id``
has step records: a statement sent again after its answer was lost) and one
whose audit stream moved past the head the events were chained on. Then, step
by step in order, every guarded write (:mod:`appkit_adapters.sql.governance.writes`)
is preceded by ``IF <refuses> THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT =
'APPKIT_STALE <step>'``; then the step records and the audit events are
inserted. A ``SIGNAL`` rolls the whole block back; its message names the
step, so the store refuses that step alone and the rest is sent again.

Databricks facts this rests on (from the SQL reference): ``BEGIN ATOMIC``
commits all its statements or none; ``SIGNAL SQLSTATE`` takes a literal
message; ``IF`` takes a scalar-subquery condition; parameter markers pass
values into SQL scripts; every table written must have catalog-managed
commits. That the Statement Execution API runs such a block as one statement
with markers bound throughout is what the probe at start-up checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from appkit_adapters.sql.governance.writes import STATE_DONE, Guarded, WriteSql
from appkit_adapters.sql.stores.audit import SqlAuditStore
from appkit_adapters.sql.stores.values import bigint, string
from appkit_adapters.sql.warehouse import SqlParameter
from appkit_domain.unit_of_work import CommitBatch

MARKER = re.compile(r"APPKIT_(COMMITTED|AUDIT_HEAD|STALE (\d+))")


def _signal(message: str) -> str:
    if not re.fullmatch(r"APPKIT_[A-Z_]+( \d+)?", message):
        raise ValueError(f"not a signal message: {message!r}")
    return f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{message}'"


@dataclass
class Block:
    """The statement text and its parameters, built piece by piece."""

    lines: list[str] = field(default_factory=list)
    params: list[SqlParameter] = field(default_factory=list)

    def guard(self, condition: str, message: str) -> None:
        self.lines.append(f"IF {condition} THEN {_signal(message)}; END IF;")

    def add(self, guarded: Guarded, message: str) -> None:
        if guarded.refuses:
            self.guard(guarded.refuses, message)
        self.lines.append(f"{guarded.statement};")
        self.params.extend(guarded.params)

    def text(self) -> str:
        body = "\n  ".join(self.lines)
        return f"BEGIN ATOMIC\n  {body}\nEND;"


async def atomic_block(
    batch: CommitBatch, sql: WriteSql, audit: SqlAuditStore
) -> tuple[str, list[SqlParameter]]:
    """The one statement committing ``batch``; its events were chained on the head just
    before the first of them."""
    block = Block()
    with_state = [s for s in batch.steps if s.changes_state]
    if with_state:
        block.params.append(string("commit_id", batch.commit_id))
        block.guard(
            f"(SELECT COUNT(*) FROM {sql.steps_table} WHERE `commit_id` = :commit_id) > 0",
            "APPKIT_COMMITTED",
        )
    if batch.events:
        first = batch.events[0]
        block.params.extend(
            [string("head_stream", first.stream), bigint("head_seq", first.seq - 1)]
        )
        block.guard(
            f"(SELECT COUNT(*) FROM {audit.table} WHERE `stream` = :head_stream "
            "AND `seq` > :head_seq) > 0",
            "APPKIT_AUDIT_HEAD",
        )
    markers: list[str] = []
    for index, step in enumerate(batch.steps):
        if not step.changes_state:
            continue
        stale = f"APPKIT_STALE {index}"
        marker = f"s{index}"
        row = sql.step_row(step, batch.commit_id, STATE_DONE)
        block.params.append(string(marker, row))
        markers.append(marker)
        if step.step.idempotency_key is not None:
            block.guard(sql.key_taken(marker), stale)
        for n, write in enumerate(step.writes):
            block.add(sql.aggregate(write, step.step.id, f"w{index}_{n}"), stale)
        for n, row_write in enumerate(step.rows):
            block.add(await sql.row(row_write, f"r{index}_{n}_"), stale)
            block.add(
                sql.ledger_entry(row_write, step.step.id, f"l{index}_{n}", step.step.at), stale
            )
    if markers:
        block.lines.append(f"{sql.insert_steps(markers)};")
    if batch.events:
        statement, params = audit.insert_statement(batch.events)
        block.lines.append(f"{statement};")
        block.params.extend(params)
    return block.text(), block.params


def signalled(message: str) -> tuple[str, int | None] | None:
    """What a failed block's message says: ``("COMMITTED", None)``, ``("AUDIT_HEAD", None)``,
    ``("STALE", step)``, or None for any other failure."""
    found = MARKER.search(message)
    if found is None:
        return None
    if found.group(2) is not None:
        return "STALE", int(found.group(2))
    return found.group(1), None
