"""The transport adapters against the emulated workspace (``fake_workspace`` from the plugin)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from appkit_adapters.databricks.catalog import UnityCatalog
from appkit_adapters.databricks.credentials import BearerToken
from appkit_adapters.databricks.directory import ScimDirectory
from appkit_adapters.databricks.http import DatabricksHttp
from appkit_adapters.databricks.statements import StatementExecutionWarehouse
from appkit_adapters.resilience import (
    DeadlineExceeded,
    ResiliencePipeline,
    ResiliencePolicy,
    VirtualTime,
)
from appkit_domain.errors import NotFound, PermissionDenied, RateLimited
from appkit_domain.identifiers import TableName
from appkit_domain.principal import Principal

from .conftest import FAST_POLICY


@pytest.fixture
def emulator(fake_workspace):
    fake_workspace.sql("CREATE SCHEMA IF NOT EXISTS main.sales")
    fake_workspace.sql(
        "CREATE TABLE main.sales.orders (id BIGINT, amount DECIMAL(10,2), placed TIMESTAMP,"
        " day DATE, paid BOOLEAN, tags ARRAY<STRING>, note STRING)"
    )
    fake_workspace.sql(
        "INSERT INTO main.sales.orders VALUES"
        " (1, 12.50, TIMESTAMP'2026-01-05 09:00:00', DATE'2026-01-05', true, array('a','b'), 'first'),"
        " (2, 3.25, TIMESTAMP'2026-01-06 10:30:00', DATE'2026-01-06', false, array(), NULL)"
    )
    return fake_workspace


@pytest.fixture
def emulated_time() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
async def admin(emulator, emulated_time: VirtualTime) -> AsyncIterator[DatabricksHttp]:
    pipeline = ResiliencePipeline(FAST_POLICY, timer=emulated_time, rng=random.Random(5))
    client = DatabricksHttp(emulator.host, BearerToken(emulator.admin_token), pipeline=pipeline)
    async with client:
        yield client


async def test_a_parameterised_select_returns_typed_rows(admin: DatabricksHttp, emulator) -> None:
    warehouse = StatementExecutionWarehouse(admin, emulator.warehouse_id)
    result = await warehouse.execute(
        "SELECT id, amount, placed, day, paid, tags, note FROM main.sales.orders"
        " WHERE amount >= :least ORDER BY id",
        {"least": Decimal("1.00")},
    )
    assert result.rows == [
        (1, Decimal("12.50"), dt.datetime(2026, 1, 5, 9, tzinfo=dt.timezone.utc),
         dt.date(2026, 1, 5), True, ["a", "b"], "first"),
        (2, Decimal("3.25"), dt.datetime(2026, 1, 6, 10, 30, tzinfo=dt.timezone.utc),
         dt.date(2026, 1, 6), False, [], None),
    ]  # fmt: skip


async def test_dml_reports_affected_rows(admin: DatabricksHttp, emulator) -> None:
    warehouse = StatementExecutionWarehouse(admin, emulator.warehouse_id)
    result = await warehouse.execute(
        "UPDATE main.sales.orders SET note = :note WHERE id = :id", {"note": "x", "id": 2}
    )
    assert result.affected_rows == 1


async def test_a_large_result_streams_through_chunks_and_external_links(
    admin: DatabricksHttp, emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(emulator.workspace, "chunk_bytes", 64 * 1024)  # many small chunks
    for disposition in ("INLINE", "EXTERNAL_LINKS"):
        warehouse = StatementExecutionWarehouse(
            admin, emulator.warehouse_id, disposition=disposition, fetch_concurrency=3
        )
        total = 0
        expected = 0
        async for row in warehouse.iterate(
            "SELECT id, concat('row-', CAST(id AS STRING)) AS label"
            " FROM (SELECT explode(sequence(0, 49999)) AS id) ORDER BY id"
        ):
            assert row[0] == expected
            expected += 1
            total += 1
        assert total == 50000
        assert warehouse.round_trips > 10  # the rows came in many chunks


async def test_a_missing_table_is_not_found(admin: DatabricksHttp, emulator) -> None:
    warehouse = StatementExecutionWarehouse(admin, emulator.warehouse_id)
    with pytest.raises(NotFound) as raised:
        await warehouse.execute("SELECT * FROM main.sales.nothing_here")
    assert raised.value.details["statement_id"]


async def test_a_user_without_select_is_permission_denied(admin: DatabricksHttp, emulator) -> None:
    bob = emulator.add_principal("bob@example.com")
    warehouse = StatementExecutionWarehouse(admin.for_user(bob["token"]), emulator.warehouse_id)
    with pytest.raises(PermissionDenied):
        await warehouse.execute("SELECT * FROM main.sales.orders")


async def test_a_throttled_call_is_retried_after_retry_after(
    admin: DatabricksHttp, emulator, emulated_time: VirtualTime
) -> None:
    emulator.set_faults(
        {"rates": {"http_429": 1.0}, "max_faults": 2, "seed": 1, "retry_after_seconds": 3}
    )
    warehouse = StatementExecutionWarehouse(admin, emulator.warehouse_id)
    assert (await warehouse.execute("SELECT 1 AS one")).rows == [(1,)]
    assert emulated_time.sleeps[:2] == [3.0, 3.0]


async def test_a_write_is_not_retried_after_429(admin: DatabricksHttp, emulator) -> None:
    emulator.set_faults({"rates": {"http_429": 1.0}, "max_faults": 1, "seed": 1})
    warehouse = StatementExecutionWarehouse(admin, emulator.warehouse_id)
    with pytest.raises(RateLimited):
        await warehouse.execute("UPDATE main.sales.orders SET note = 'y' WHERE id = 1")


async def test_a_statement_stuck_pending_is_cancelled_at_its_deadline(
    admin: DatabricksHttp, emulator
) -> None:
    emulator.set_faults({"rates": {"stuck_pending": 1.0}, "seed": 1})
    warehouse = StatementExecutionWarehouse(admin, emulator.warehouse_id, poll_max=1.0)
    with pytest.raises(DeadlineExceeded) as raised:
        await warehouse.execute("SELECT 1", deadline=4.0)
    assert raised.value.details["statement_id"]


async def test_unity_catalog_browse_and_column_types(admin: DatabricksHttp, emulator) -> None:
    catalog = UnityCatalog(admin)
    assert "main" in [c.name for c in await catalog.list_catalogs()]
    assert "sales" in [s.name for s in await catalog.list_schemas("main")]
    assert [t.name for t in await catalog.list_tables("main", "sales")] == ["orders"]
    types = await catalog.column_types(TableName.parse("main.sales.orders"))
    assert types["id"] == "BIGINT"
    assert types["amount"] == "DECIMAL(10,2)"
    with pytest.raises(NotFound):
        await catalog.column_types("main.sales.nothing_here")


async def test_effective_privileges_answer_can_select(admin: DatabricksHttp, emulator) -> None:
    alice = emulator.add_principal("alice@example.com", groups=["analysts"])
    warehouse = StatementExecutionWarehouse(admin, emulator.warehouse_id)
    await warehouse.execute("GRANT USE CATALOG ON CATALOG main TO `analysts`")
    await warehouse.execute("GRANT USE SCHEMA ON SCHEMA main.sales TO `analysts`")
    await warehouse.execute("GRANT SELECT ON TABLE main.sales.orders TO `analysts`")
    catalog = UnityCatalog(admin)
    table = TableName.parse("main.sales.orders")
    principal = Principal(alice["id"], "alice@example.com", groups=frozenset({"analysts"}))
    assert await catalog.can_select(principal, table)
    assert not await catalog.can_modify(principal, table)
    stranger = Principal("999", "stranger@example.com")
    assert not await catalog.can_select(stranger, table)


async def test_scim_me_names_the_token_owner(admin: DatabricksHttp, emulator) -> None:
    alice = emulator.add_principal("alice@example.com", groups=["analysts"])
    principal = await ScimDirectory(admin).me(alice["token"])
    assert principal.id == alice["id"]
    assert principal.email == "alice@example.com"
    assert "analysts" in principal.groups


async def test_the_prod_profile_talks_to_the_emulator(emulator) -> None:
    policy = ResiliencePolicy.for_profile("test")
    async with DatabricksHttp(
        emulator.host, BearerToken(emulator.admin_token), policy=policy
    ) as client:
        warehouse = StatementExecutionWarehouse(client, emulator.warehouse_id)
        assert (await warehouse.execute("SELECT 41 + 1 AS answer")).scalar() == 42


async def test_a_workspace_bundle_serves_the_app_and_its_users(emulator) -> None:
    from appkit_adapters.databricks import DatabricksWorkspace

    bob = emulator.add_principal("bob@example.com")
    async with DatabricksWorkspace.with_token(
        emulator.host,
        emulator.admin_token,
        emulator.warehouse_id,
        policy=ResiliencePolicy.for_profile("test"),
    ) as workspace:
        assert (await workspace.warehouse.execute("SELECT 2 AS n")).scalar() == 2
        user = workspace.for_user(bob["token"])
        assert user.http.session is workspace.http.session
        with pytest.raises(PermissionDenied):
            await user.warehouse.execute("SELECT * FROM main.sales.orders")
        assert (await workspace.directory.me(bob["token"])).email == "bob@example.com"
        assert workspace.breaker.snapshot().state.value == "closed"
