"""Streaming results in batches, and the async SqlWarehouse view of the engine."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from appkit_adapters.local import LocalEngine, LocalWarehouse
from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_domain.errors import NotFound, Unavailable


def test_stream_yields_batches_of_at_most_batch_rows(engine: LocalEngine) -> None:
    with engine.stream(
        "SELECT id, current_timestamp() AS at FROM range(25) AS r(id)", batch_rows=10
    ) as stream:
        assert [(c.name, c.type_name) for c in stream.columns] == [
            ("id", "LONG"),
            ("at", "TIMESTAMP"),
        ]
        batches = list(stream)
    assert [len(batch) for batch in batches] == [10, 10, 5]
    assert batches[0][0][1].tzinfo == dt.timezone.utc
    assert stream.rows_read == 25


def test_stream_of_a_write_returns_its_counts(engine: LocalEngine) -> None:
    engine.execute("CREATE TABLE t (a INT)")
    with engine.stream("INSERT INTO t VALUES (1), (2)") as stream:
        assert list(stream) == [[(2, 2)]]


def test_stream_of_a_missing_table_fails_up_front(engine: LocalEngine) -> None:
    with pytest.raises(NotFound, match="TABLE_OR_VIEW_NOT_FOUND"):
        engine.stream("SELECT * FROM missing")


def test_closed_engine_is_unavailable() -> None:
    engine = LocalEngine()
    engine.close()
    with pytest.raises(Unavailable):
        engine.execute("SELECT 1")


async def test_warehouse_runs_statements_as_its_principal(engine: LocalEngine) -> None:
    warehouse = engine.warehouse("svc-app@example.com")
    assert isinstance(warehouse, LocalWarehouse)
    port: SqlWarehouse = warehouse
    result = await port.execute("SELECT current_user() AS who, :n AS n", {"n": 3})
    assert result.rows == [("svc-app@example.com", 3)]


async def test_warehouse_calls_run_concurrently_in_threads(engine: LocalEngine) -> None:
    await engine.warehouse().execute("CREATE TABLE main.default.c AS SELECT 1 AS x")
    warehouse = engine.warehouse()
    results = await asyncio.gather(*(warehouse.execute("SELECT x FROM c") for _ in range(8)))
    assert [r.scalar() for r in results] == [1] * 8


async def test_warehouse_errors_are_domain_errors(engine: LocalEngine) -> None:
    with pytest.raises(NotFound):
        await engine.warehouse().execute("SELECT * FROM nope", row_limit=1, idempotent=True)


def test_timestamp_columns_keep_names_order_and_utc_zone(engine: LocalEngine) -> None:
    engine.execute(
        "CREATE TABLE main.default.ev AS SELECT id, timestampadd(MINUTE, id, TIMESTAMP'2024-01-01 00:00:00')"
        " AS at FROM range(50) AS r(id)"
    )
    statement = (
        "SELECT a.at, b.at, named_struct('at', a.at) AS s FROM ev a JOIN ev b ON a.id = b.id"
        " ORDER BY a.id DESC"
    )
    for _ in range(2):  # the second run uses the cached result shape
        result = engine.execute(statement)
        assert [c.name for c in result.columns] == ["at", "at", "s"]
        first = result.rows[0]
        expected = dt.datetime(2024, 1, 1, 0, 49, tzinfo=dt.timezone.utc)
        assert first == (expected, expected, {"at": expected})
        assert first[0].tzinfo is dt.timezone.utc and first[2]["at"].tzinfo is dt.timezone.utc
        assert [row[0].minute for row in result.rows] == list(range(49, -1, -1))
