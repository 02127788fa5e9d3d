# ruff: noqa: S608  (only quoted, validated identifiers and :markers are interpolated; values are parameters)
"""Committing steps without atomic blocks, with the same guarantees, one statement at a time.

Used where the warehouse or a table cannot run ``BEGIN ATOMIC`` (tables
without catalog-managed commits, say). A batch goes in five moves:

1. **Plan.** Each step's record is stored ``PENDING`` with its whole plan
   (every write, its before-state, its audit drafts) and a lease.
2. **Writes.** Each aggregate write is a compare-and-set (or an insert that
   refuses a taken id or unique value) stamped with the step's id in
   ``write_token``; each governed row write is guarded by its before-image and
   followed by its ledger entry. A write whose statement affected nothing is
   read back: stamped by this step means it landed earlier (a retried
   statement); anything else refuses the step, whose landed writes are put
   back (only where they still carry its stamp) and whose record becomes
   ``UNDONE``.
3. **Lease.** A step whose lease is nearly over is not finished here: the
   recovery sweep will be.
4. **Audit.** The batch's events are appended (safe to repeat). This is the
   commit point: a step is committed once its events are durable.
5. **Done.** The step records become ``DONE``.

Readers treat an aggregate stamped by a ``PENDING`` step as busy (they run
again), so nobody acts on a half-done step. A process that dies mid-batch
leaves ``PENDING`` records; once their lease ends, the recovery sweep finishes
each one (its events stored: it committed) or, when a write can no longer
land, undoes it. It never guesses: every decision rests on the stamps.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from appkit_adapters.sql.governance.packing import json_value
from appkit_adapters.sql.governance.tables import AggregateTables
from appkit_adapters.sql.governance.writes import (
    STATE_DONE,
    STATE_PENDING,
    STATE_UNDONE,
    Guarded,
    WriteSql,
)
from appkit_adapters.sql.stores.audit import SqlAuditStore
from appkit_adapters.sql.stores.values import in_list, string, timestamp, utc
from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_domain.audit.drafts import EventDraft
from appkit_domain.errors import AppkitError, Conflict, InvalidInput, StaleVersion, Unavailable
from appkit_domain.identifiers import TableName
from appkit_domain.ports.clock import Clock
from appkit_domain.unit_of_work import (
    AggregateWrite,
    CommitBatch,
    RowWrite,
    StepCommit,
    StepRecord,
    StepsRejected,
)

DEFAULT_LEASE = timedelta(minutes=10)
LEASE_MARGIN = timedelta(minutes=2)
"""A step is not finished with less than this left of its lease (a statement can take 110 s)."""


class _Refused(Exception):
    def __init__(self, error: AppkitError) -> None:
        super().__init__(error.message)
        self.error = error


class StepByStep:
    """Commits batches statement by statement (see the module docstring)."""

    def __init__(
        self,
        warehouse: SqlWarehouse,
        sql: WriteSql,
        audit: SqlAuditStore,
        clock: Clock,
        *,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.warehouse = warehouse
        self.sql = sql
        self.audit = audit
        self.clock = clock
        self.lease = lease
        self._leases: dict[str, datetime] = {}

    # -- the commit ----------------------------------------------------------------------------

    async def write(self, batch: CommitBatch) -> None:
        steps = [(i, s) for i, s in enumerate(batch.steps) if s.changes_state]
        if steps:
            await self._plan(batch, [s for _, s in steps])
        rejected: dict[int, AppkitError] = {}
        for index, step in steps:
            try:
                await self._writes(step)
            except _Refused as refused:
                await self.undo(step)
                await self._set_state([step.step.id], STATE_UNDONE)
                rejected[index] = refused.error
        if rejected:
            raise StepsRejected(rejected)
        now = self.clock.now()
        for _, step in steps:
            until = self._leases.get(step.step.id)
            if until is not None and now > until - LEASE_MARGIN:
                raise Unavailable(
                    f"step {step.step.id} ran out of its lease; the recovery sweep finishes it"
                )
        if batch.events:
            await self.audit.append(batch.events)
        if steps:
            await self._set_state([s.step.id for _, s in steps], STATE_DONE)
            for _, step in steps:
                self._leases.pop(step.step.id, None)

    async def _plan(self, batch: CommitBatch, steps: Sequence[StepCommit]) -> None:
        for step in steps:
            for row in step.rows:
                if not row.stamp:
                    raise InvalidInput(
                        f"a write to {row.table.full_name} without atomic commits needs an audit "
                        "column only this change sets (change_id, approval_id or updated_at) "
                        "to tell its own write from anyone else's"
                    )
        until = self.clock.now() + self.lease
        markers, params = [], []
        for n, step in enumerate(steps):
            marker = f"s{n}"
            self._leases.setdefault(step.step.id, until)
            plan = json.dumps(self._encode(step), separators=(",", ":"), ensure_ascii=False)
            packed = self.sql.step_row(
                step, batch.commit_id, STATE_PENDING, plan=plan, lease_until=until
            )
            markers.append(marker)
            params.append(string(marker, packed))
            if step.step.idempotency_key is not None:
                taken = await self.warehouse.execute(
                    f"SELECT {self.sql.key_taken(marker)}",
                    [string(marker, packed)],
                    idempotent=True,
                )
                if taken.scalar() and await self._owner_of_key(step) != step.step.id:
                    raise StepsRejected(
                        {
                            list(batch.steps).index(step): StaleVersion(
                                "this idempotency key was used by another step"
                            )
                        }
                    )
        await self.warehouse.execute(self.sql.merge_steps(markers), params, idempotent=True)

    async def _owner_of_key(self, step: StepCommit) -> str | None:
        result = await self.warehouse.execute(
            f"SELECT `step_id` FROM {self.sql.steps_table} WHERE `principal` = :p "
            "AND `idempotency_key` = :k AND `state` <> :undone",
            [
                string("p", step.step.principal),
                string("k", step.step.idempotency_key),
                string("undone", STATE_UNDONE),
            ],
            idempotent=True,
        )
        return str(result.rows[0][0]) if result.rows else None

    async def _writes(self, step: StepCommit) -> None:
        step_id = step.step.id
        for n, write in enumerate(step.writes):
            await self._aggregate(write, step_id, f"w{n}")
        for n, row in enumerate(step.rows):
            guarded = await self.sql.row(row, f"r{n}_")
            if not await self._landed(guarded) and not await self.sql.governed.holds(row):
                raise _Refused(StaleVersion(f"the row of {row.table.full_name} moved"))
            ledger = self.sql.ledger_merge(row, step_id, f"l{n}", step.step.at)
            if not await self._landed(ledger):
                sql, params = self.sql.ledger_token(row.change_id)
                found = await self.warehouse.execute(sql, params, idempotent=True)
                if not found.rows or found.rows[0][0] != step_id:
                    raise _Refused(StaleVersion(f"change {row.change_id} already wrote its row"))

    async def _aggregate(self, write: AggregateWrite, step_id: str, marker: str) -> None:
        guarded = (
            self.sql.merge_insert(write, step_id, marker)
            if write.is_insert
            else self.sql.aggregate(write, step_id, marker)
        )
        if await self._landed(guarded):
            return
        sql, params = self.sql.token_of(write)
        found = await self.warehouse.execute(sql, params, idempotent=True)
        if found.rows and found.rows[0][1] == step_id:
            return  # this step's own write, answered late and sent again
        what = f"{write.type.name} {write.key}"
        raise _Refused(StaleVersion(f"{what} moved, or its id or a unique value is taken"))

    async def _landed(self, guarded: Guarded) -> bool:
        try:
            result = await self.warehouse.execute(
                guarded.statement, guarded.params, idempotent=True
            )
        except StaleVersion:
            raise
        except Conflict:
            return False  # a concurrent writer won: read what is stored now
        return (result.affected_rows or 0) >= 1

    async def undo(self, step: StepCommit) -> None:
        """Put back whatever of ``step`` landed (only rows still stamped by it)."""
        step_id = step.step.id
        for n, row in reversed(list(enumerate(step.rows))):
            await self.warehouse.execute(
                (undo := self.sql.undo_ledger(row, step_id, f"u{n}")).statement,
                undo.params,
                idempotent=True,
            )
            if await self.sql.governed.holds(row):
                restore = await self.sql.undo_row(row, f"u{n}_")
                await self.warehouse.execute(restore.statement, restore.params, idempotent=True)
        for n, write in reversed(list(enumerate(step.writes))):
            undo = self.sql.undo_aggregate(write, step_id, f"u{n}")
            await self.warehouse.execute(undo.statement, undo.params, idempotent=True)

    async def _set_state(self, step_ids: Sequence[str], state: str) -> None:
        markers, params = in_list("st", list(step_ids))
        await self.warehouse.execute(
            f"UPDATE {self.sql.steps_table} SET `state` = :state WHERE `step_id` IN {markers}",
            [string("state", state), *params],
            idempotent=True,
        )

    # -- recovery ------------------------------------------------------------------------------

    async def unfinished(self, lease_ended_by: datetime) -> list[StepCommit]:
        result = await self.warehouse.execute(
            f"SELECT `plan` FROM {self.sql.steps_table} WHERE `state` = :pending "
            "AND `lease_until` <= :by ORDER BY `committed_at`, `step_id`",
            [string("pending", STATE_PENDING), timestamp("by", lease_ended_by)],
            idempotent=True,
        )
        return [self._decode(json.loads(str(row[0]))) for row in result.rows]

    async def take_over(self, step_id: str) -> bool:
        """Renew the lease of a half-done step whose lease ended; False if another did first."""
        now = self.clock.now()
        until = now + self.lease
        result = await self.warehouse.execute(
            f"UPDATE {self.sql.steps_table} SET `lease_until` = :until WHERE `step_id` = :step "
            "AND `state` = :pending AND `lease_until` <= :now",
            [
                timestamp("until", until),
                string("step", step_id),
                string("pending", STATE_PENDING),
                timestamp("now", now),
            ],
            idempotent=True,
        )
        if (result.affected_rows or 0) >= 1:
            self._leases[step_id] = until
            return True
        return False

    async def settle(self, step_id: str, *, committed: bool) -> None:
        await self._set_state([step_id], STATE_DONE if committed else STATE_UNDONE)
        self._leases.pop(step_id, None)

    # -- plans ---------------------------------------------------------------------------------

    def _encode(self, step: StepCommit) -> dict[str, Any]:
        tables = self.sql.tables
        record = step.step
        return {
            "step": {
                "id": record.id,
                "name": record.name,
                "at": json_value(record.at),
                "principal": record.principal,
                "idempotency_key": record.idempotency_key,
                "request_hash": record.request_hash,
                "outcome": dict(record.outcome),
            },
            "writes": [
                {
                    "type": w.type.name,
                    "row": _row(tables, w.type.name, w.item),
                    "expected": w.expected_version,
                    "previous": None
                    if w.previous is None
                    else _row(tables, w.type.name, w.previous),
                }
                for w in step.writes
            ],
            "rows": [
                {
                    "change_id": r.change_id,
                    "table": r.table.full_name,
                    "key": dict(r.key),
                    "before": dict(r.before),
                    "values": {c: json_value(v) for c, v in r.values.items()},
                    "stamp": list(r.stamp),
                }
                for r in step.rows
            ],
            "events": [
                {
                    "id": e.id,
                    "at": json_value(e.at),
                    "actor": e.actor,
                    "action": e.action,
                    "target": e.target,
                    "details": dict(e.details),
                    "on_behalf_of": e.on_behalf_of,
                    "request_id": e.request_id,
                }
                for e in step.events
            ],
        }

    def _decode(self, plan: dict[str, Any]) -> StepCommit:
        tables = self.sql.tables
        info = plan["step"]
        record = StepRecord(
            info["id"],
            info["name"],
            utc(info["at"]),
            info.get("principal"),
            info.get("idempotency_key"),
            info.get("request_hash"),
            info.get("outcome") or {},
        )
        writes = []
        for w in plan["writes"]:
            table = tables.named(w["type"])
            previous = w.get("previous")
            writes.append(
                AggregateWrite(
                    table.type,
                    table.from_row(w["row"]),
                    w.get("expected"),
                    None if previous is None else table.from_row(previous),
                )
            )
        rows = tuple(
            RowWrite(
                r["change_id"], TableName.parse(r["table"]), r["key"], r["before"], r["values"]
            )
            for r in plan["rows"]
        )
        events = tuple(
            EventDraft(
                e["id"],
                utc(e["at"]),
                e["actor"],
                e["action"],
                e["target"],
                e.get("details") or {},
                e.get("on_behalf_of"),
                e.get("request_id"),
            )
            for e in plan["events"]
        )
        return StepCommit(record, tuple(writes), rows, events)


def _row(tables: AggregateTables, name: str, item: Any) -> dict[str, Any]:
    table = tables.named(name)
    row = {p.name: json_value(p.value) for p in table.params(item)}
    row["version"] = table.type.version_of(item)
    return row
