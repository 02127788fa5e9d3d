"""Governed rows on SQL: guarded writes committed by the governance store, both ways."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from appkit_adapters.sql.governance.store import SqlGovernanceStore
from appkit_adapters.sql.stores.counting import CountingWarehouse
from appkit_adapters.sql.stores.governed_table import SqlGovernedTable
from appkit_adapters.sql.warehouse import Parameters, SqlWarehouse, StatementResult
from appkit_domain.audit.chain import normalize_json
from appkit_domain.errors import Conflict, InvalidInput, Unavailable
from appkit_domain.identifiers import TableName
from appkit_domain.unit_of_work import CommitBatch, RowWrite, StepCommit, StepRecord, StepsRejected
from appkit_testing.fakes.clock import ControllableClock
from tests.sql_stores.conftest import Governance

NOW = datetime(2026, 3, 2, 9, 0, 0, 250000, tzinfo=timezone.utc)


@pytest.fixture
async def customers(governance: Governance) -> AsyncIterator[TableName]:
    table = TableName(governance.location.catalog, governance.location.schema, "customers")
    await governance.warehouse.execute(
        f"CREATE TABLE {table.quoted} (customer_id BIGINT, name STRING, tier STRING, "
        "credit_limit DECIMAL(10,2), since DATE, updated_by STRING, updated_at TIMESTAMP, "
        "approval_id STRING) TBLPROPERTIES ('delta.feature.catalogManaged' = 'supported')"
    )
    await governance.warehouse.execute(
        f"INSERT INTO {table.quoted} VALUES "
        "(1, 'Acme', 'silver', 900.00, DATE'2020-01-02', NULL, NULL, NULL), "
        "(2, 'Globex', 'gold', 1500.00, DATE'2021-05-06', 'u-x', "
        "TIMESTAMP'2026-01-01 00:00:00', NULL)"
    )
    yield table


@pytest.fixture
def counted(governance: Governance) -> CountingWarehouse:
    return CountingWarehouse(governance.warehouse)


@pytest.fixture
def writer(counted: CountingWarehouse) -> SqlGovernedTable:
    return SqlGovernedTable(counted)


@pytest.fixture
def store(
    governance: Governance, counted: CountingWarehouse, writer: SqlGovernedTable, atomic: bool
) -> SqlGovernanceStore:
    return SqlGovernanceStore(
        counted, governance.location, writer, atomic=atomic, clock=ControllableClock(NOW)
    )


async def before_of(writer: SqlGovernedTable, table: TableName, **key: Any) -> dict[str, Any]:
    row = await writer.read_row(table, key)
    assert row is not None
    result: dict[str, Any] = normalize_json(dict(row), "before")
    return result


AUDIT = {"updated_by": "u-alice", "updated_at": NOW, "approval_id": "apr-1"}
_numbers = itertools.count(1)


def batch(
    table: TableName, change_id: str, before: dict[str, Any], values: dict[str, Any]
) -> CommitBatch:
    n = next(_numbers)
    write = RowWrite(
        change_id, table, {"customer_id": before["customer_id"]}, before, {**values, **AUDIT},
        ("approval_id", "updated_at"),
    )  # fmt: skip
    step = StepCommit(StepRecord(f"stp-t{n}", "test.row", NOW), rows=(write,))
    return CommitBatch(f"cmt-t{n}", (step,), ())


async def test_column_types_are_described_once_and_cached(
    writer: SqlGovernedTable, counted: CountingWarehouse, customers: TableName
) -> None:
    types = await writer.column_types(customers)
    assert types["credit_limit"] == "DECIMAL(10,2)"
    assert types["customer_id"] == "BIGINT"
    counted.reset()
    await writer.column_types(customers)
    assert counted.count == 0


async def test_a_row_write_with_audit_values_lands_in_one_statement_when_atomic(
    writer: SqlGovernedTable,
    store: SqlGovernanceStore,
    counted: CountingWarehouse,
    customers: TableName,
    atomic: bool,
) -> None:
    before = await before_of(writer, customers, customer_id=1)
    await writer.column_types(customers)
    counted.reset()
    await store.write(
        batch(customers, "chg-1", before, {"tier": "gold", "credit_limit": "1200.50"})
    )
    if atomic:
        assert counted.count == 1  # the whole step is one BEGIN ATOMIC block
    row = await writer.read_row(customers, {"customer_id": 1})
    assert row is not None
    assert (row["tier"], row["credit_limit"]) == ("gold", Decimal("1200.50"))
    assert (row["updated_by"], row["updated_at"], row["approval_id"]) == ("u-alice", NOW, "apr-1")


async def test_a_write_naming_a_column_the_table_lacks_is_invalid_input(
    writer: SqlGovernedTable, store: SqlGovernanceStore, customers: TableName
) -> None:
    before = await before_of(writer, customers, customer_id=1)
    with pytest.raises(InvalidInput, match="approved_by"):
        await store.write(batch(customers, "chg-1", before, {"approved_by": "u-bob"}))
    assert (await before_of(writer, customers, customer_id=1)) == before


async def test_a_moved_row_refuses_the_write_even_after_moving_back(
    writer: SqlGovernedTable,
    store: SqlGovernanceStore,
    governance: Governance,
    customers: TableName,
) -> None:
    before = await before_of(writer, customers, customer_id=1)
    await governance.warehouse.execute(
        f"UPDATE {customers.quoted} SET credit_limit = 950 WHERE customer_id = 1"
    )
    with pytest.raises(StepsRejected):
        await store.write(batch(customers, "chg-1", before, {"tier": "gold"}))
    row = await writer.read_row(customers, {"customer_id": 1})
    assert row is not None and row["tier"] == "silver" and row["updated_by"] is None


async def test_a_missing_row_refuses_the_write(
    writer: SqlGovernedTable, store: SqlGovernanceStore, customers: TableName
) -> None:
    before = {**(await before_of(writer, customers, customer_id=1)), "customer_id": 99}
    with pytest.raises(StepsRejected):
        await store.write(batch(customers, "chg-9", before, {"tier": "gold"}))


async def test_concurrent_changes_from_one_before_image_let_one_land(
    writer: SqlGovernedTable, store: SqlGovernanceStore, customers: TableName
) -> None:
    before = await before_of(writer, customers, customer_id=1)
    outcomes = await asyncio.gather(
        *(store.write(batch(customers, f"chg-{i}", before, {"name": f"n{i}"})) for i in range(6)),
        return_exceptions=True,
    )
    assert sum(o is None for o in outcomes) == 1
    assert all(o is None or isinstance(o, (StepsRejected, Conflict)) for o in outcomes)


class LosesFirstAnswer(SqlWarehouse):
    """Runs every statement, but reports the first write as failed (a lost response)."""

    def __init__(self, inner: SqlWarehouse) -> None:
        self.inner = inner
        self.lost = False

    async def execute(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        row_limit: int | None = None,
        idempotent: bool = False,
    ) -> StatementResult:
        result = await self.inner.execute(statement, parameters, row_limit=row_limit)
        writes_customers = statement.startswith(("BEGIN", "UPDATE")) and "customers" in statement
        if writes_customers and not self.lost:
            self.lost = True
            raise Unavailable("connection reset after the statement ran")
        return result


async def test_a_write_whose_answer_was_lost_is_found_landed_when_sent_again(
    governance: Governance, customers: TableName, atomic: bool
) -> None:
    lossy = LosesFirstAnswer(governance.warehouse)
    writer = SqlGovernedTable(lossy)
    store = SqlGovernanceStore(
        lossy, governance.location, writer, atomic=atomic, clock=ControllableClock(NOW)
    )
    before = await before_of(writer, customers, customer_id=1)
    sent = batch(customers, "chg-1", before, {"tier": "gold"})
    with pytest.raises(Unavailable):
        await store.write(sent)
    await store.write(sent)  # the same batch again: it had landed, and lands once
    row = await writer.read_row(customers, {"customer_id": 1})
    assert row is not None and row["tier"] == "gold"
    ledger = await governance.warehouse.execute(
        f"SELECT COUNT(*) FROM {governance.location.table('applied_changes')} "
        "WHERE change_id = 'chg-1'"
    )
    assert ledger.scalar() == 1


async def test_values_travel_as_parameters_never_as_sql(
    writer: SqlGovernedTable,
    store: SqlGovernanceStore,
    counted: CountingWarehouse,
    customers: TableName,
) -> None:
    hostile = "x'; DROP TABLE customers; -- `y`"
    before = await before_of(writer, customers, customer_id=1)
    counted.keep_text = True
    await store.write(batch(customers, "chg-1", before, {"name": hostile}))
    assert all(hostile not in text for text in counted.statements)
    row = await writer.read_row(customers, {"customer_id": 1})
    assert row is not None and row["name"] == hostile


async def test_duplicate_key_is_a_conflict_on_read(
    writer: SqlGovernedTable, governance: Governance, customers: TableName
) -> None:
    await governance.warehouse.execute(
        f"INSERT INTO {customers.quoted} (customer_id, name) VALUES (1, 'Twin')"
    )
    with pytest.raises(Conflict):
        await writer.read_row(customers, {"customer_id": 1})


async def test_a_change_binding_more_than_256_values_is_refused_before_any_sql(
    writer: SqlGovernedTable, counted: CountingWarehouse, customers: TableName
) -> None:
    before = await before_of(writer, customers, customer_id=1)
    wide_before = {**before, **{f"c{i}": "x" for i in range(300)}}
    writer._columns[customers.full_name.lower()].update({f"c{i}": "STRING" for i in range(300)})
    counted.reset()
    write = RowWrite("chg-1", customers, {"customer_id": 1}, wide_before, {"tier": "gold"})
    with pytest.raises(InvalidInput):
        await writer.row_write(write, "r")
    assert counted.count == 0
