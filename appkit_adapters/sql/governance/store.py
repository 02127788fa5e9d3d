# ruff: noqa: S608  (only quoted, validated identifiers and :markers are interpolated; values are parameters)
"""The governance store on a SQL warehouse: steps committed in one statement where it can.

With atomic commits (``atomic=True``) a batch of steps is one ``BEGIN ATOMIC
... END`` statement (:mod:`~appkit_adapters.sql.governance.atomic`), so a
governed step costs one write round trip; without them, the step-by-step
protocol of :mod:`~appkit_adapters.sql.governance.fallback` keeps the same
guarantees. Batches holding only audit events are one ``INSERT`` either way.

Reads: an aggregate is loaded with one ``SELECT`` (joined to the step that
wrote it last, so one a half-done step is changing reads as busy). A loaded or
committed state is kept for ``cache_seconds`` and served to steps that do not
ask for fresh state: every write it leads to is version-checked, so a stale
cached state costs a refused commit and a fresh read, never a wrong write.
Every statement is safe to repeat, so the transport retries them like reads.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from appkit_adapters.sql.governance.atomic import atomic_block, signalled
from appkit_adapters.sql.governance.fallback import DEFAULT_LEASE, StepByStep
from appkit_adapters.sql.governance.tables import AggregateTable, AggregateTables
from appkit_adapters.sql.governance.writes import STATE_DONE, STATE_PENDING, WriteSql
from appkit_adapters.sql.schema import UNIT_STEPS, GovernanceSchema
from appkit_adapters.sql.stores.audit import MAX_EVENTS_PER_STATEMENT, SqlAuditStore
from appkit_adapters.sql.stores.governed_table import SqlGovernedTable
from appkit_adapters.sql.stores.values import from_json, string, utc
from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_adapters.system import SystemClock
from appkit_domain.audit.event import Checkpoint
from appkit_domain.errors import AppkitError, Conflict, InvalidInput, StaleVersion
from appkit_domain.identifiers import quote
from appkit_domain.ports.clock import Clock
from appkit_domain.ports.governance_store import GovernanceStore
from appkit_domain.unit_of_work import (
    AggregateType,
    CommitBatch,
    StepCommit,
    StepRecord,
    StepsRejected,
)

T = TypeVar("T")

BLOCK_ATTEMPTS = 3
"""Times a block is sent when the warehouse reports a concurrent commit (nothing landed)."""
CACHE_ENTRIES = 10_000


class RecentStates:
    """Aggregate states loaded or committed in the last ``seconds`` (least recent dropped)."""

    def __init__(self, seconds: float, monotonic: Callable[[], float]) -> None:
        self.seconds = seconds
        self._monotonic = monotonic
        self._items: OrderedDict[tuple[str, str], tuple[float, Any]] = OrderedDict()
        self.hits = 0

    def get(self, type_name: str, key: str) -> Any | None:
        found = self._items.get((type_name, key))
        if found is None:
            return None
        expires, item = found
        if self._monotonic() > expires:
            del self._items[(type_name, key)]
            return None
        self.hits += 1
        return item

    def put(self, type_name: str, key: str, item: Any) -> None:
        if self.seconds <= 0:
            return
        self._items[(type_name, key)] = (self._monotonic() + self.seconds, item)
        self._items.move_to_end((type_name, key))
        while len(self._items) > CACHE_ENTRIES:
            self._items.popitem(last=False)

    def forget(self, keys: Iterable[tuple[str, str]]) -> None:
        for key in keys:
            self._items.pop(key, None)


def _keys(steps: Iterable[StepCommit]) -> list[tuple[str, str]]:
    return [(w.type.name, w.key) for s in steps for w in s.writes]


class SqlGovernanceStore(GovernanceStore):
    """:class:`GovernanceStore` over the governance tables in ``location``.

    ``governed`` reads and guards the governed tables' rows; ``tables`` says
    where each aggregate type lives (the built-in types unless given).
    """

    max_batch_cost = MAX_EVENTS_PER_STATEMENT
    """A batch carries at most this many parameters (under the 256 of one statement), so its
    audit events always fit one INSERT."""

    def __init__(
        self,
        warehouse: SqlWarehouse,
        location: GovernanceSchema,
        governed: SqlGovernedTable,
        *,
        atomic: bool | None = True,
        tables: AggregateTables | None = None,
        clock: Clock | None = None,
        cache_seconds: float = 30.0,
        lease: Any = DEFAULT_LEASE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.warehouse = warehouse
        self.location = location
        self.governed = governed
        self.atomic = atomic
        self.tables = tables or AggregateTables()
        self.audit = SqlAuditStore(warehouse, location)
        self.sql = WriteSql(location, self.tables, governed)
        self.fallback = StepByStep(
            warehouse, self.sql, self.audit, clock or SystemClock(), lease=lease
        )
        self.cache = RecentStates(cache_seconds, monotonic)
        self.steps_table = location.table(UNIT_STEPS)
        self.decide: Callable[[], Awaitable[bool]] | None = None
        """How to choose ``atomic`` at the first commit when it could not be chosen at
        start-up (the tables did not exist yet); ``atomic`` is None until then."""

    def cost(self, step: StepCommit) -> int:
        total = len(step.writes) + len(step.events) + (1 if step.changes_state else 0)
        for row in step.rows:
            total += len(row.key) + len(row.before) + len(row.values) + 1
        return total

    # -- reads ---------------------------------------------------------------------------------

    def _select(self, table: AggregateTable[Any], where: str) -> str:
        columns = ", ".join(f"t.{quote(c)}" for c in (*table.column_types, "version"))
        return (
            f"SELECT {columns}, s.`state` AS `_step_state` FROM "
            f"{self.location.table(table.table)} AS t LEFT JOIN {self.steps_table} AS s "
            f"ON s.`step_id` = t.`write_token` WHERE {where}"
        )

    def _items(self, table: AggregateTable[T], rows: Sequence[dict[str, Any]]) -> list[T]:
        items = []
        for row in rows:
            if row.pop("_step_state", None) == STATE_PENDING:
                raise StaleVersion(
                    f"{table.type.name} {row.get('id')} is being changed by a step in flight",
                    details={"id": row.get("id")},
                )
            item = table.from_row(row)
            self.cache.put(table.type.name, table.type.key(item), item)
            items.append(item)
        return items

    async def load(self, type: AggregateType[T], key: str, *, fresh: bool = False) -> T | None:
        if not fresh:
            cached: T | None = self.cache.get(type.name, key)
            if cached is not None:
                return cached
        table = self.tables.of(type)
        result = await self.warehouse.execute(
            self._select(table, "t.`id` = :id"), [string("id", key)], idempotent=True
        )
        items = self._items(table, result.dicts())
        return items[0] if items else None

    async def find(
        self, type: AggregateType[T], index: str, value: str, *, fresh: bool = False
    ) -> list[T]:
        table = self.tables.of(type)
        condition, params = table.lookups[index](value)
        result = await self.warehouse.execute(
            self._select(table, _qualify(condition)) + " ORDER BY t.`id`", params, idempotent=True
        )
        return self._items(table, result.dicts())

    async def head(self, stream: str) -> Checkpoint | None:
        return await self.audit.head(stream)

    async def recorded_step(self, principal: str, idempotency_key: str) -> StepRecord | None:
        result = await self.warehouse.execute(
            f"SELECT `step_id`, `name`, `committed_at`, `request_hash`, `outcome` FROM "
            f"{self.steps_table} WHERE `principal` = :principal AND "
            "`idempotency_key` = :key AND `state` = :done",
            [
                string("principal", principal),
                string("key", idempotency_key),
                string("done", STATE_DONE),
            ],
            idempotent=True,
        )
        if not result.rows:
            return None
        step_id, name, at, request_hash, outcome = result.rows[0]
        return StepRecord(
            str(step_id),
            str(name),
            utc(at),
            principal,
            idempotency_key,
            request_hash,
            from_json(outcome) or {},
        )

    # -- the commit ----------------------------------------------------------------------------

    async def write(self, batch: CommitBatch) -> None:
        if not any(step.changes_state for step in batch.steps):
            if batch.events:
                await self.audit.append(batch.events)
            return
        if self.atomic is None:
            if self.decide is None:
                raise InvalidInput("this governance store was not told how to commit")
            self.atomic = await self.decide()
        try:
            if self.atomic:
                await self._atomic(batch)
            else:
                await self.fallback.write(batch)
        except StepsRejected as refused:
            self.cache.forget(_keys(batch.steps[i] for i in refused.rejected))
            raise
        except BaseException:
            self.cache.forget(_keys(batch.steps))
            raise
        for step in batch.steps:
            for write in step.writes:
                self.cache.put(write.type.name, write.key, write.item)

    async def _atomic(self, batch: CommitBatch) -> None:
        stream = batch.events[0].stream if batch.events else ""
        statement, params = await atomic_block(batch, self.sql, self.audit)
        for _attempt in range(BLOCK_ATTEMPTS):
            try:
                await self.warehouse.execute(statement, params, idempotent=True)
                return
            except AppkitError as exc:
                said = signalled(exc.message)
                if said is None:
                    if isinstance(exc, Conflict) and not isinstance(exc, StaleVersion):
                        continue  # the warehouse saw a concurrent commit: nothing landed
                    raise
                what, index = said
                if what == "COMMITTED":
                    return  # sent again after its answer was lost: it had landed
                if what == "AUDIT_HEAD":
                    raise Conflict(
                        f"audit stream {stream!r} moved past the head this batch was chained on"
                    ) from None
                assert index is not None
                raise StepsRejected(
                    {index: StaleVersion("something this step read has moved since")}
                ) from None
        raise Conflict("the warehouse kept reporting concurrent commits for this batch")

    # -- half-done steps -----------------------------------------------------------------------

    async def unfinished(self, lease_ended_by: datetime) -> Sequence[StepCommit]:
        return await self.fallback.unfinished(lease_ended_by)

    async def take_over(self, step_id: str) -> bool:
        return await self.fallback.take_over(step_id)

    async def events_stored(self, step: StepCommit) -> bool:
        ids = [draft.id for draft in step.events]
        return set(ids) <= await self.audit.stored_ids(ids) if ids else True

    async def settle(self, step_id: str, *, committed: bool) -> None:
        await self.fallback.settle(step_id, committed=committed)


def _qualify(condition: str) -> str:
    """A lookup's condition on the table aliased ``t`` (its columns are backtick-quoted)."""
    out = []
    i = 0
    while i < len(condition):
        if condition[i] == "`":
            end = condition.index("`", i + 1)
            out.append(f"t.{condition[i : end + 1]}")
            i = end + 1
        else:
            out.append(condition[i])
            i += 1
    return "".join(out)
