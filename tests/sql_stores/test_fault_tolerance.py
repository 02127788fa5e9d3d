"""Governed writes through the SQL stores survive a faulty workspace: none lost, none twice.

The emulated workspace injects faults into 20% of requests (429 and 503 with
Retry-After, connection resets, statements stuck in PENDING, plus latency on
every request); on top of that, a wrapper drops 5% of answers *after* the
statement ran, the ambiguous case the Statement Execution API has no
idempotency key for. Each governed write is: record the change request,
apply it to the governed table, mark it applied, audit it. A step that
fails is retried (an audit append is first looked up, as after any
ambiguous failure). ``APPKIT_FAULT_WRITES`` sets the number of writes: the
default 300 keeps the run near a minute on a shared two-core machine; the
full drill is ``APPKIT_FAULT_WRITES=1000``.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import TypeVar

from appkit_adapters.sql.schema import GovernanceSchema, init_schema
from appkit_adapters.sql.stores.audit import SqlAuditStore
from appkit_adapters.sql.stores.changes import SqlChangeStore
from appkit_adapters.sql.stores.governed_table import SqlGovernedTable
from appkit_adapters.sql.warehouse import Parameters, SqlWarehouse, StatementResult
from appkit_domain.audit import AuditLog, AuditQuery
from appkit_domain.errors import Conflict, Unavailable
from appkit_domain.identifiers import TableName
from appkit_domain.ports.governed_table import ApplyStatus
from appkit_domain.writeback import ChangeRequest, ChangeStatus
from appkit_testing.fakes.clock import ControllableClock
from appkit_testing.fakes.ids import SequentialIds
from appkit_testing.workspace import FaultPlan, start_in_thread
from tests.sql_stores.backends import emulated_warehouse

T = TypeVar("T")
WRITES = int(os.environ.get("APPKIT_FAULT_WRITES", "300"))
WORKERS = 32
NOW = datetime(2026, 3, 2, 9, 0, 0, tzinfo=timezone.utc)
FAULTS = FaultPlan(
    rates={"http_429": 0.05, "http_503": 0.05, "reset": 0.05, "stuck_pending": 0.05},
    latency_ms=1,
    seed=20261126,
    retry_after_seconds=0,
)


class LosesAnswers(SqlWarehouse):
    """Runs every statement, then loses the answer of ``rate`` of the writes."""

    def __init__(self, inner: SqlWarehouse, rate: float, seed: int) -> None:
        self.inner = inner
        self.rate = rate
        self.random = random.Random(seed)
        self.lost = 0

    async def execute(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        row_limit: int | None = None,
        idempotent: bool = False,
    ) -> StatementResult:
        result = await self.inner.execute(
            statement, parameters, row_limit=row_limit, idempotent=idempotent
        )
        if not statement.startswith("SELECT") and self.random.random() < self.rate:
            self.lost += 1
            raise Unavailable("connection reset after the statement ran")
        return result


async def until_done(
    step: Callable[[], Awaitable[T]],
    retries: list[int],
    landed: Callable[[], Awaitable[bool]] | None = None,
) -> T | None:
    """Run ``step`` until it does not raise ``Unavailable`` (bounded by time).

    After an ambiguous failure a retry may meet its own earlier write as a
    ``Conflict``; ``landed`` then looks it up and, when it is there, the step
    is done (None is returned).
    """
    started = time.monotonic()
    ambiguous = False
    while True:
        try:
            return await step()
        except Unavailable:
            ambiguous = True
            retries[0] += 1
            if time.monotonic() - started > 60:
                raise
            await asyncio.sleep(0.02)
        except Conflict:
            if not ambiguous or landed is None:
                raise
            if await until_done(landed, retries):
                return None
            raise


def change_for(table: TableName, n: int) -> ChangeRequest:
    return ChangeRequest(
        id=f"chg-{n:05d}",
        table=table,
        key={"customer_id": n},
        values={"tier": "gold", "credit_limit": f"{n}.25"},
        before={
            "customer_id": n,
            "tier": "silver",
            "credit_limit": "100.00",
            "updated_by": None,
            "updated_at": None,
        },
        reason="fault drill",
        requested_by=f"u-{n % 7}",
        created_at=NOW,
        updated_at=NOW,
    )


async def test_governed_writes_under_faults_are_neither_lost_nor_doubled() -> None:
    emulator = start_in_thread()
    try:
        table = TableName("gov", "crm", "customers")
        location = GovernanceSchema("gov", "records")
        async with emulated_warehouse(emulator, deadline=2.0) as (warehouse, _catalog):
            for statement in (
                "CREATE CATALOG IF NOT EXISTS gov",
                "CREATE SCHEMA IF NOT EXISTS gov.crm",
                "CREATE TABLE gov.crm.customers (customer_id BIGINT, tier STRING, "
                "credit_limit DECIMAL(10,2), updated_by STRING, updated_at TIMESTAMP)",
                "INSERT INTO gov.crm.customers SELECT id, 'silver', 100.00, NULL, NULL "
                f"FROM range(1, {WRITES + 1}) AS r(id)",
            ):
                await warehouse.execute(statement)
            await init_schema(warehouse, "gov", "records")
            lossy = LosesAnswers(warehouse, rate=0.05, seed=7)
            changes = SqlChangeStore(lossy, location)
            governed = SqlGovernedTable(lossy, location, ControllableClock(NOW))
            audit_store = SqlAuditStore(lossy, location)
            log = AuditLog(audit_store, ControllableClock(NOW), SequentialIds(), stream="app-1")
            retries = [0]
            emulator.set_faults(FAULTS)
            started = time.monotonic()

            async def audited(change: ChangeRequest) -> None:
                try:
                    await log.append(
                        actor="sp-app",
                        on_behalf_of=change.requested_by,
                        action="writeback.apply",
                        target=change.target,
                        details=change.summary(),
                    )
                except Unavailable:
                    query = AuditQuery(target=change.target, action="writeback.apply")
                    found = await until_done(lambda: audit_store.query(query), retries)
                    if found is None or not found.items:
                        raise

            async def governed_write(n: int) -> None:
                change = change_for(table, n)

                async def added() -> bool:
                    return await changes.get(change.id) == change

                await until_done(lambda: changes.add(change), retries, added)
                outcome = await until_done(
                    lambda: governed.apply_change(
                        change.id,
                        table,
                        change.key,
                        change.before,
                        change.values,
                        {"updated_by": change.requested_by, "updated_at": NOW},
                    ),
                    retries,
                )
                assert outcome is not None and outcome.status is ApplyStatus.APPLIED, outcome
                applied = change.moved(
                    ChangeStatus.APPLIED, NOW, applied_at=NOW, executed_by="sp-app"
                )

                async def saved() -> bool:
                    return await changes.get(change.id) == applied

                await until_done(lambda: changes.save(applied, expected_version=1), retries, saved)
                await until_done(lambda: audited(change), retries)

            queue: asyncio.Queue[int] = asyncio.Queue()
            for n in range(1, WRITES + 1):
                queue.put_nowait(n)

            async def worker() -> None:
                while not queue.empty():
                    await governed_write(queue.get_nowait())

            await asyncio.gather(*(worker() for _ in range(WORKERS)))
            elapsed = time.monotonic() - started
            stats = emulator.workspace.stats.snapshot()
            emulator.set_faults(FaultPlan())

            rows = (
                await warehouse.execute(
                    f"SELECT customer_id, tier, credit_limit, updated_by FROM {table.quoted} "
                    "ORDER BY customer_id"
                )
            ).rows
            assert len(rows) == WRITES
            for customer_id, tier, limit, updated_by in rows:
                assert (tier, str(limit)) == ("gold", f"{customer_id}.25"), customer_id
                assert updated_by == f"u-{customer_id % 7}"
            ledger = (
                await warehouse.execute(
                    f"SELECT status, COUNT(*) AS n, COUNT(DISTINCT change_id) AS ids "
                    f"FROM {location.table('applied_changes')} GROUP BY status"
                )
            ).rows
            assert ledger == [("APPLIED", WRITES, WRITES)]
            stored = (
                await warehouse.execute(
                    f"SELECT status, version, COUNT(*) FROM {location.table('change_requests')} "
                    "GROUP BY status, version"
                )
            ).rows
            assert stored == [("APPLIED", 2, WRITES)]
            events = await audit_store.read("app-1", limit=WRITES * 2)
            targets = [e.target for e in events if e.action == "writeback.apply"]
            assert len(targets) == len(set(targets)) == WRITES
            report = await log.verify()
            assert report.ok, report.first_broken
            print(
                f"\n{WRITES} governed writes in {elapsed:.1f}s; faults injected: "
                f"{stats['faults']}; answers lost after running: {lossy.lost}; "
                f"step retries: {retries[0]}; requests: {stats['requests']['total']}; "
                f"statements: {stats['statements']['total']}"
            )
    finally:
        emulator.stop()
