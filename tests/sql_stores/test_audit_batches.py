"""The SQL audit store writes one batch with one statement, and a retried batch once."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from appkit_adapters.sql.stores.audit import SqlAuditStore
from appkit_adapters.sql.stores.counting import CountingWarehouse
from appkit_adapters.sql.warehouse import (
    Parameters,
    SqlWarehouse,
    StatementResult,
    normalize_parameters,
)
from appkit_domain.audit import AuditLog
from appkit_domain.errors import Conflict, InvalidInput, Unavailable
from appkit_testing.fakes.clock import ControllableClock
from appkit_testing.fakes.ids import SequentialIds
from tests.sql_stores.conftest import Governance


class LosesInsertAnswers(SqlWarehouse):
    """Runs every statement, but reports the first ``count`` INSERTs as failed after running."""

    def __init__(self, inner: SqlWarehouse, count: int = 1) -> None:
        self.inner = inner
        self.remaining = count

    async def execute(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        row_limit: int | None = None,
        idempotent: bool = False,
    ) -> StatementResult:
        result = await self.inner.execute(statement, parameters, row_limit=row_limit)
        if statement.startswith("INSERT") and self.remaining > 0:
            self.remaining -= 1
            raise Unavailable("connection reset after the statement ran")
        return result


async def test_concurrent_appends_share_one_insert_statement(governance: Governance) -> None:
    counted = CountingWarehouse(governance.warehouse)
    log = AuditLog(
        SqlAuditStore(counted, governance.location),
        ControllableClock(),
        SequentialIds(),
        stream="s",
    )
    await log.append(actor="a", action="warm", target="t")  # reads the stream head once
    counted.reset()
    await asyncio.gather(*(log.append(actor="a", action="x", target=f"t{i}") for i in range(32)))
    assert counted.by_kind["INSERT"] == 1
    assert counted.count == 1
    assert (await log.verify()).ok


async def test_a_batch_whose_answer_was_lost_is_stored_once(governance: Governance) -> None:
    store = SqlAuditStore(governance.warehouse, governance.location)
    log = AuditLog(store, ControllableClock(), SequentialIds(), stream="s")
    first = await log.append(actor="a", action="x", target="t1")
    batch = [dataclasses.replace(first, id="evt-2", seq=2, prev_hash=first.hash)]
    lossy = SqlAuditStore(LosesInsertAnswers(governance.warehouse), governance.location)
    with pytest.raises(Unavailable):
        await lossy.append(batch)
    await lossy.append(batch)  # the same batch again: already stored, so nothing is written
    assert [e.id for e in await store.read("s")] == [first.id, "evt-2"]


async def test_a_batch_with_one_taken_sequence_number_stores_nothing(
    governance: Governance,
) -> None:
    store = SqlAuditStore(governance.warehouse, governance.location)
    log = AuditLog(store, ControllableClock(), SequentialIds(), stream="s")
    first = await log.append(actor="a", action="x", target="t1")
    fresh = dataclasses.replace(first, id="evt-new", seq=2)
    other = dataclasses.replace(first, id="evt-other", stream="t")
    clash = dataclasses.replace(first, id="evt-clash")
    with pytest.raises(Conflict):
        await store.append([fresh, other, clash])
    assert [e.id for e in await store.read("s")] == [first.id]
    assert await store.read("t") == []


class ParameterLimit(SqlWarehouse):
    """Refuses a statement with more parameters than Databricks accepts (256), as it would."""

    def __init__(self, inner: SqlWarehouse) -> None:
        self.inner = inner
        self.most = 0

    async def execute(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        row_limit: int | None = None,
        idempotent: bool = False,
    ) -> StatementResult:
        count = len(normalize_parameters(parameters))
        self.most = max(self.most, count)
        if count > 256:
            raise InvalidInput(f"Parameterized query has too many parameters: {count}")
        return await self.inner.execute(
            statement, parameters, row_limit=row_limit, idempotent=idempotent
        )


async def test_a_large_batch_stays_under_the_parameter_limit_and_verifies(
    governance: Governance,
) -> None:
    limited = ParameterLimit(governance.warehouse)
    counted = CountingWarehouse(limited)
    log = AuditLog(
        SqlAuditStore(counted, governance.location),
        ControllableClock(),
        SequentialIds(),
        stream="s",
    )
    await log.append(actor="a", action="warm", target="t")
    counted.reset()
    await asyncio.gather(*(log.append(actor="a", action="x", target=f"t{i}") for i in range(450)))
    assert counted.by_kind["INSERT"] == 3  # 200 + 200 + 50 events
    assert limited.most <= 256
    assert (await log.verify()).ok


async def test_awkward_text_round_trips_exactly(governance: Governance) -> None:
    store = SqlAuditStore(governance.warehouse, governance.location)
    log = AuditLog(store, ControllableClock(), SequentialIds(), stream="s")
    details = {
        "quote": 'it\'s "quoted" \\ back\\slash',
        "path": "$.id",
        "unicode": "ünïcödé ✓ 🚀",
        "nested": {"list": [1, 2.5, None, True, "x"], "empty": {}},
        "newline": "a\nb\tc",
    }
    written = await log.append(
        actor="o'brien", action="a", target="t:`x`", details=details, request_id='r"1'
    )
    (stored,) = await store.read("s")
    assert stored == written
    assert (await log.verify()).ok
