"""Warehouse statements per governed write-back step: propose, approve, apply.

Run: .venv/bin/python bench/bench_statements_per_step.py [--backend emulated|local]
     [--alone N] [--concurrent N]

The domain services (write-back + maker-checker approvals + audit log) run on
the SQL stores. ``emulated`` (default) talks to the emulated workspace through
the Statement Execution client and reads the statement counts from its
``GET /_emulator/stats``; ``local`` runs on the embedded engine and counts
``execute`` calls with a counting wrapper. Each step is measured alone (one
workflow at a time) and with N workflows doing the same step concurrently,
where the audit log's group commit shares one INSERT between them.
Permission checks are Unity Catalog REST calls in production, not warehouse
statements; here they come from an in-memory checker and are not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from appkit_adapters.sql.schema import GovernanceSchema, init_schema
from appkit_adapters.sql.stores import (
    CountingWarehouse,
)
from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_adapters.system import SystemClock, UuidIds
from appkit_domain.approvals import (
    Actor,
)
from appkit_domain.errors import Conflict, Unavailable
from appkit_domain.identifiers import TableName
from appkit_testing.sql_writeback import ALICE, APP, BOB, WritebackWorkflow, writeback_workflow

CUSTOMERS = TableName("gov", "crm", "customers")
LOCATION = GovernanceSchema("gov", "records")
STEPS = ("propose", "approve", "apply")


def services_on(warehouse: SqlWarehouse) -> WritebackWorkflow:
    return writeback_workflow(
        warehouse, LOCATION, CUSTOMERS, SystemClock(), UuidIds(), stream="bench"
    )


async def workflow_steps(
    services: WritebackWorkflow, customer_id: int
) -> list[Callable[[], Awaitable[Any]]]:
    """The three steps of one governed write, as callables run in order."""
    state: dict[str, Any] = {}

    async def propose() -> None:
        proposal = await services.writeback.propose(
            ALICE, CUSTOMERS, {"customer_id": customer_id}, {"tier": "gold"}, "bench"
        )
        state["approval_id"] = proposal.approval_id

    async def approve() -> None:
        await services.approvals.approve(state["approval_id"], Actor(BOB))

    async def apply() -> None:
        await services.approvals.apply(state["approval_id"], Actor(APP))

    return [propose, approve, apply]


class Counts:
    """Statement counts: the emulator's stats endpoint, or a counting wrapper."""

    def __init__(self, emulator: Any = None, counter: CountingWarehouse | None = None) -> None:
        self.emulator = emulator
        self.counter = counter

    async def snapshot(self) -> Counter[str]:
        if self.counter is not None:
            return Counter({"total": self.counter.count, **self.counter.by_kind})
        headers = {"Authorization": f"Bearer {self.emulator.admin_token}"}
        url = f"{self.emulator.host}/_emulator/stats"
        async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as r:
            body = await r.json()
        statements = body["statements"]
        return Counter({"total": statements["total"], **statements["by_kind"]})


RETRIES = Counter[str]()


async def attempt(step: str, run: Callable[[], Awaitable[Any]]) -> None:
    """Run one step, again after an ``Unavailable`` (counted and reported, never hidden).

    A run again that meets a ``Conflict`` (the request already moved on) means
    the failed run had landed its change before failing.
    """
    for tries in range(6):
        try:
            await run()
            return
        except Unavailable:
            if tries == 5:
                raise
            RETRIES[step] += 1
        except Conflict:
            if tries == 0:
                raise
            return


async def measure(
    counts: Counts, services: WritebackWorkflow, first_id: int, workflows: int, together: bool
) -> dict[str, tuple[float, float, dict[str, float]]]:
    """Per step: (statements per workflow, seconds per step run, statements by kind per workflow)."""
    plans = [await workflow_steps(services, first_id + i) for i in range(workflows)]
    out: dict[str, tuple[float, float, dict[str, float]]] = {}
    for index, step in enumerate(STEPS):
        before = await counts.snapshot()
        started = time.perf_counter()
        if together:
            await asyncio.gather(*(attempt(step, plan[index]) for plan in plans))
            runs = 1
        else:
            for plan in plans:
                await attempt(step, plan[index])
            runs = workflows
        seconds = (time.perf_counter() - started) / runs
        after = await counts.snapshot()
        delta = after - before
        kinds = {k: v / workflows for k, v in sorted(delta.items()) if k != "total"}
        out[step] = (delta["total"] / workflows, seconds, kinds)
    return out


def report(title: str, results: dict[str, tuple[float, float, dict[str, float]]]) -> None:
    print(f"\n{title}")
    print(f"  {'step':<8} {'statements/workflow':>20} {'ms/step run':>12}  by kind")
    total = 0.0
    for step, (per_workflow, seconds, kinds) in results.items():
        total += per_workflow
        shown = ", ".join(f"{k} {v:.2f}" for k, v in kinds.items())
        print(f"  {step:<8} {per_workflow:>20.2f} {seconds * 1000:>12.1f}  {shown}")
    print(f"  {'total':<8} {total:>20.2f}")
    if RETRIES:
        print(f"  steps run again after Unavailable (counted above): {dict(RETRIES)}")
        RETRIES.clear()


async def prepare(warehouse: SqlWarehouse, rows: int) -> None:
    await warehouse.execute("CREATE CATALOG IF NOT EXISTS `gov`")
    await warehouse.execute("CREATE SCHEMA IF NOT EXISTS `gov`.`crm`")
    await warehouse.execute(
        f"CREATE TABLE {CUSTOMERS.quoted} (customer_id BIGINT, tier STRING, "
        "updated_by STRING, updated_at TIMESTAMP, approval_id STRING)"
    )
    await warehouse.execute(
        f"INSERT INTO {CUSTOMERS.quoted} SELECT id, 'silver', NULL, NULL, NULL "
        f"FROM range(1, {rows + 1}) AS r(id)"
    )
    await init_schema(warehouse, LOCATION.catalog, LOCATION.schema)


async def run(backend: str, alone: int, concurrent: int) -> None:
    rows = alone + concurrent
    if backend == "emulated":
        from appkit_adapters.databricks.credentials import BearerToken
        from appkit_adapters.databricks.http import DatabricksHttp
        from appkit_adapters.databricks.statements import StatementExecutionWarehouse
        from appkit_adapters.resilience.policy import ResiliencePolicy
        from appkit_testing.workspace import start_in_thread

        emulator = start_in_thread()
        try:
            http = DatabricksHttp(
                emulator.host,
                BearerToken(emulator.admin_token),
                policy=ResiliencePolicy.for_profile("test"),
            )
            async with http:
                warehouse = StatementExecutionWarehouse(http, emulator.warehouse_id)
                await prepare(warehouse, rows)
                await measure_all(
                    Counts(emulator=emulator), services_on(warehouse), alone, concurrent
                )
        finally:
            emulator.stop()
        return
    from appkit_adapters.local.engine import LocalEngine

    with tempfile.TemporaryDirectory() as data_dir, LocalEngine(data_dir) as engine:
        counter = CountingWarehouse(engine.warehouse("sp-app"))
        await prepare(counter, rows)
        await measure_all(Counts(counter=counter), services_on(counter), alone, concurrent)


async def measure_all(
    counts: Counts, services: WritebackWorkflow, alone: int, concurrent: int
) -> None:
    # Warm up: the first write describes the table (cached afterwards) and reads the audit head.
    warm = await measure(counts, services, 1, 1, together=False)
    report("first workflow (cold: table columns described, audit head read)", warm)
    report(
        f"one workflow at a time (mean of {alone - 1})",
        await measure(counts, services, 2, alone - 1, together=False),
    )
    report(
        f"{concurrent} workflows doing each step concurrently (per workflow)",
        await measure(counts, services, alone + 1, concurrent, together=True),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("emulated", "local"), default="emulated")
    parser.add_argument("--alone", type=int, default=21, help="workflows run one at a time")
    parser.add_argument("--concurrent", type=int, default=32, help="workflows run together")
    args = parser.parse_args()
    print(f"backend: {args.backend}")
    asyncio.run(run(args.backend, max(2, args.alone), args.concurrent))


if __name__ == "__main__":
    main()
