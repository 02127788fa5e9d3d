"""The SQL change request store: exact round trips, insert-once, optimistic saves, paging."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from appkit_adapters.sql.stores.changes import SqlChangeStore
from appkit_domain.errors import Conflict, InvalidInput, NotFound, StaleVersion
from appkit_domain.identifiers import TableName
from appkit_domain.writeback import ChangeQuery, ChangeRequest, ChangeStatus
from tests.sql_stores.conftest import Governance

START = datetime(2026, 3, 2, 8, 30, 0, 123456, tzinfo=timezone.utc)
CUSTOMERS = TableName("demo", "crm", "customers")


def make_change(
    n: int, *, requested_by: str = "u-alice", table: TableName = CUSTOMERS
) -> ChangeRequest:
    at = START + timedelta(seconds=n // 2)
    return ChangeRequest(
        id=f"chg-{n:04d}",
        table=table,
        key={"customer_id": n},
        values={"tier": "gold", "credit_limit": "1200.50"},
        before={"customer_id": n, "tier": "silver", "credit_limit": "900.00", "note": None},
        reason=f"upgrade {n}: ünïcode 'quoted'",
        requested_by=requested_by,
        created_at=at,
        updated_at=at,
    )


@pytest.fixture
def store(governance: Governance) -> SqlChangeStore:
    return SqlChangeStore(governance.warehouse, governance.location)


async def test_added_change_round_trips_exactly(store: SqlChangeStore) -> None:
    change = make_change(1)
    await store.add(change)
    assert await store.get(change.id) == change


async def test_applied_change_round_trips_with_approvers(store: SqlChangeStore) -> None:
    change = make_change(1)
    await store.add(change)
    approved = change.moved(ChangeStatus.APPROVED, START, approvers=("u-bob", "u-carol"))
    await store.save(approved, expected_version=1)
    applied = approved.moved(
        ChangeStatus.APPLIED, START + timedelta(minutes=1), applied_at=START, executed_by="sp-app"
    )
    await store.save(applied, expected_version=2)
    assert await store.get(change.id) == applied


async def test_adding_an_existing_id_is_a_conflict(store: SqlChangeStore) -> None:
    change = make_change(1)
    await store.add(change)
    with pytest.raises(Conflict):
        await store.add(dataclasses.replace(change, reason="other"))
    assert (await store.get(change.id)).reason == change.reason


async def test_unknown_id_is_not_found(store: SqlChangeStore) -> None:
    with pytest.raises(NotFound):
        await store.get("chg-none")
    with pytest.raises(NotFound):
        await store.save(dataclasses.replace(make_change(9), version=2), expected_version=1)


async def test_stale_save_changes_nothing(store: SqlChangeStore) -> None:
    change = make_change(1)
    await store.add(change)
    first = change.moved(ChangeStatus.WITHDRAWN, START)
    await store.save(first, expected_version=1)
    with pytest.raises(StaleVersion):
        await store.save(change.moved(ChangeStatus.REJECTED, START), expected_version=1)
    assert await store.get(change.id) == first


async def test_save_must_step_the_version_by_one(store: SqlChangeStore) -> None:
    change = make_change(1)
    await store.add(change)
    with pytest.raises(InvalidInput):
        await store.save(change, expected_version=1)


async def test_concurrent_saves_of_one_version_let_exactly_one_win(store: SqlChangeStore) -> None:
    change = make_change(1)
    await store.add(change)
    outcomes = await asyncio.gather(
        *(
            store.save(dataclasses.replace(change, failure=f"w{i}", version=2), expected_version=1)
            for i in range(6)
        ),
        return_exceptions=True,
    )
    assert sum(o is None for o in outcomes) == 1
    assert all(o is None or isinstance(o, StaleVersion) for o in outcomes)


async def test_query_filters_and_pages_in_creation_order(store: SqlChangeStore) -> None:
    notes = TableName("demo", "crm", "notes")
    for n in range(7):
        await store.add(make_change(n, requested_by="u-bob" if n == 3 else "u-alice"))
    await store.add(make_change(7, table=notes))
    await store.save(make_change(2).moved(ChangeStatus.WITHDRAWN, START), expected_version=1)
    seen: list[str] = []
    token = None
    while True:
        page = await store.query(ChangeQuery(page_size=3, page_token=token))
        seen.extend(c.id for c in page.items)
        token = page.next_page_token
        if token is None:
            break
    assert seen == [f"chg-{n:04d}" for n in range(8)]
    by_bob = await store.query(ChangeQuery(requested_by="u-bob"))
    assert [c.id for c in by_bob.items] == ["chg-0003"]
    on_notes = await store.query(ChangeQuery(table="DEMO.crm.notes"))
    assert [c.id for c in on_notes.items] == ["chg-0007"]
    withdrawn = await store.query(ChangeQuery(statuses=frozenset({ChangeStatus.WITHDRAWN})))
    assert [c.id for c in withdrawn.items] == ["chg-0002"]
    with pytest.raises(InvalidInput):
        await store.query(ChangeQuery(page_token="not-a-token!"))
