"""The governed-table writer: optimistic, at most once per change id, audit columns, few statements."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from appkit_adapters.sql.stores.counting import CountingWarehouse
from appkit_adapters.sql.stores.governed_table import SqlGovernedTable
from appkit_adapters.sql.warehouse import Parameters, SqlWarehouse, StatementResult
from appkit_domain.audit.chain import normalize_json
from appkit_domain.errors import Conflict, InvalidInput, Unavailable
from appkit_domain.identifiers import TableName
from appkit_domain.ports.governed_table import ApplyStatus
from appkit_testing.fakes.clock import ControllableClock
from tests.sql_stores.conftest import Governance

NOW = datetime(2026, 3, 2, 9, 0, 0, 250000, tzinfo=timezone.utc)


@pytest.fixture
async def customers(governance: Governance) -> AsyncIterator[TableName]:
    table = TableName(governance.location.catalog, governance.location.schema, "customers")
    await governance.warehouse.execute(
        f"CREATE TABLE {table.quoted} (customer_id BIGINT, name STRING, tier STRING, "
        "credit_limit DECIMAL(10,2), since DATE, updated_by STRING, updated_at TIMESTAMP, "
        "approval_id STRING)"
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
def writer(governance: Governance, counted: CountingWarehouse) -> SqlGovernedTable:
    return SqlGovernedTable(counted, governance.location, ControllableClock(NOW))


async def before_of(writer: SqlGovernedTable, table: TableName, **key: Any) -> dict[str, Any]:
    row = await writer.read_row(table, key)
    assert row is not None
    result: dict[str, Any] = normalize_json(dict(row), "before")
    return result


AUDIT = {"updated_by": "u-alice", "updated_at": NOW, "approval_id": "apr-1"}


async def test_column_types_are_described_once_and_cached(
    writer: SqlGovernedTable, counted: CountingWarehouse, customers: TableName
) -> None:
    types = await writer.column_types(customers)
    assert types["credit_limit"] == "DECIMAL(10,2)"
    assert types["customer_id"] == "BIGINT"
    counted.reset()
    await writer.column_types(customers)
    assert counted.count == 0


async def test_change_applies_when_the_row_still_equals_its_before_image(
    writer: SqlGovernedTable, counted: CountingWarehouse, customers: TableName
) -> None:
    before = await before_of(writer, customers, customer_id=1)
    counted.reset()
    outcome = await writer.apply_change(
        "chg-1",
        customers,
        {"customer_id": 1},
        before,
        {"tier": "gold", "credit_limit": "1200.50"},
        AUDIT,
    )
    assert outcome.status is ApplyStatus.APPLIED and not outcome.replayed
    assert counted.count == 2  # the conditional UPDATE and the ledger MERGE
    row = await writer.read_row(customers, {"customer_id": 1})
    assert row is not None
    assert (row["tier"], row["credit_limit"]) == ("gold", Decimal("1200.50"))
    assert (row["updated_by"], row["updated_at"], row["approval_id"]) == ("u-alice", NOW, "apr-1")


async def test_audit_values_fill_only_the_audit_columns_the_table_has(
    writer: SqlGovernedTable, customers: TableName
) -> None:
    before = await before_of(writer, customers, customer_id=1)
    outcome = await writer.apply_change(
        "chg-1",
        customers,
        {"customer_id": 1},
        before,
        {"tier": "gold"},
        {**AUDIT, "approved_by": "u-bob"},  # the table has no approved_by column
    )
    assert outcome.applied
    row = await writer.read_row(customers, {"customer_id": 1})
    assert row is not None and row["updated_by"] == "u-alice" and "approved_by" not in row


async def test_second_apply_of_a_change_id_writes_nothing_and_replays_the_outcome(
    writer: SqlGovernedTable, counted: CountingWarehouse, customers: TableName
) -> None:
    before = await before_of(writer, customers, customer_id=1)
    first = await writer.apply_change(
        "chg-1", customers, {"customer_id": 1}, before, {"tier": "gold"}, AUDIT
    )
    counted.reset()
    second = await writer.apply_change(
        "chg-1", customers, {"customer_id": 1}, before, {"tier": "gold"}, AUDIT
    )
    assert second.status is first.status is ApplyStatus.APPLIED
    assert second.replayed
    assert counted.by_kind["MERGE"] == 0 and counted.count == 2


async def test_moved_row_is_a_conflict_and_nothing_is_written(
    writer: SqlGovernedTable, governance: Governance, customers: TableName
) -> None:
    before = await before_of(writer, customers, customer_id=1)
    await governance.warehouse.execute(
        f"UPDATE {customers.quoted} SET credit_limit = 950 WHERE customer_id = 1"
    )
    outcome = await writer.apply_change(
        "chg-1", customers, {"customer_id": 1}, before, {"tier": "gold"}, AUDIT
    )
    assert outcome.status is ApplyStatus.CONFLICT
    assert outcome.reason is not None and "credit_limit" in outcome.reason
    row = await writer.read_row(customers, {"customer_id": 1})
    assert row is not None and row["tier"] == "silver" and row["updated_by"] is None
    # The row returning to its before-image does not let the same change id apply later.
    await governance.warehouse.execute(
        f"UPDATE {customers.quoted} SET credit_limit = 900 WHERE customer_id = 1"
    )
    again = await writer.apply_change(
        "chg-1", customers, {"customer_id": 1}, before, {"tier": "gold"}, AUDIT
    )
    assert again.status is ApplyStatus.CONFLICT and again.replayed
    row = await writer.read_row(customers, {"customer_id": 1})
    assert row is not None and row["tier"] == "silver"


async def test_missing_row_is_a_conflict(writer: SqlGovernedTable, customers: TableName) -> None:
    before = await before_of(writer, customers, customer_id=1)
    outcome = await writer.apply_change(
        "chg-9", customers, {"customer_id": 99}, before, {"tier": "gold"}, AUDIT
    )
    assert outcome.status is ApplyStatus.CONFLICT
    assert outcome.reason is not None and "no longer exists" in outcome.reason


async def test_concurrent_applies_of_one_change_write_once(
    writer: SqlGovernedTable, customers: TableName
) -> None:
    before = await before_of(writer, customers, customer_id=1)
    outcomes = await asyncio.gather(
        *(
            writer.apply_change(
                "chg-1", customers, {"customer_id": 1}, before, {"tier": "gold"}, AUDIT
            )
            for _ in range(8)
        )
    )
    assert all(o.status is ApplyStatus.APPLIED for o in outcomes)
    assert sum(not o.replayed for o in outcomes) == 1


async def test_concurrent_changes_from_one_before_image_let_one_apply(
    writer: SqlGovernedTable, customers: TableName
) -> None:
    before = await before_of(writer, customers, customer_id=1)
    outcomes = await asyncio.gather(
        *(
            writer.apply_change(
                f"chg-{i}", customers, {"customer_id": 1}, before, {"name": f"n{i}"}, AUDIT
            )
            for i in range(6)
        )
    )
    assert sum(o.status is ApplyStatus.APPLIED for o in outcomes) == 1
    assert sum(o.status is ApplyStatus.CONFLICT for o in outcomes) == 5


class LosesFirstAnswer(SqlWarehouse):
    """Runs every statement, but reports the first UPDATE as failed (a lost response)."""

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
        if statement.startswith("UPDATE") and not self.lost:
            self.lost = True
            raise Unavailable("connection reset after the statement ran")
        return result


async def test_apply_whose_answer_was_lost_is_recorded_applied_on_retry(
    governance: Governance, customers: TableName
) -> None:
    writer = SqlGovernedTable(
        LosesFirstAnswer(governance.warehouse), governance.location, ControllableClock(NOW)
    )
    before = await before_of(writer, customers, customer_id=1)
    with pytest.raises(Unavailable):
        await writer.apply_change(
            "chg-1", customers, {"customer_id": 1}, before, {"tier": "gold"}, AUDIT
        )
    outcome = await writer.apply_change(
        "chg-1", customers, {"customer_id": 1}, before, {"tier": "gold"}, AUDIT
    )
    assert outcome.status is ApplyStatus.APPLIED
    assert (await writer.recorded("chg-1")) is not None


async def test_values_travel_as_parameters_never_as_sql(
    writer: SqlGovernedTable, counted: CountingWarehouse, customers: TableName
) -> None:
    hostile = "x'; DROP TABLE customers; -- `y`"
    before = await before_of(writer, customers, customer_id=1)
    counted.keep_text = True
    outcome = await writer.apply_change(
        "chg-1", customers, {"customer_id": 1}, before, {"name": hostile}, AUDIT
    )
    assert outcome.applied
    assert all(hostile not in text for text in counted.statements)
    row = await writer.read_row(customers, {"customer_id": 1})
    assert row is not None and row["name"] == hostile


async def test_unknown_column_is_invalid_input(
    writer: SqlGovernedTable, customers: TableName
) -> None:
    before = await before_of(writer, customers, customer_id=1)
    with pytest.raises(InvalidInput):
        await writer.apply_change(
            "chg-1", customers, {"customer_id": 1}, before, {"nope": "x"}, AUDIT
        )


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
    with pytest.raises(InvalidInput):
        await writer.apply_change(
            "chg-1", customers, {"customer_id": 1}, wide_before, {"tier": "gold"}, AUDIT
        )
    assert counted.count == 0
