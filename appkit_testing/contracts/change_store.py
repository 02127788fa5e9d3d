"""The contract every :class:`appkit_domain.ports.change_store.ChangeStore` honours.

Subclass :class:`ChangeStoreContract` and provide a ``store`` fixture that
yields an empty store::

    class TestMyChangeStore(ChangeStoreContract):
        @pytest.fixture
        async def store(self):
            yield MyChangeStore(...)
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from appkit_domain.errors import InvalidInput, NotFound
from appkit_domain.identifiers import TableName
from appkit_domain.ports.change_store import ChangeStore
from appkit_domain.writeback import ChangeQuery, ChangeRequest, ChangeStatus
from appkit_testing.contracts.seeding import Writer

START = datetime(2026, 3, 2, 8, 30, 0, 123456, tzinfo=timezone.utc)
TABLE = TableName("demo", "crm", "customers")


def sample_change(
    n: int, *, requested_by: str = "u-alice", table: TableName = TABLE
) -> ChangeRequest:
    """A ``PENDING`` change numbered ``n`` with an approval link."""
    at = START + timedelta(minutes=n)
    return ChangeRequest(
        id=f"chg-{n:04d}",
        table=table,
        key={"customer_id": n},
        values={"tier": "gold", "credit_limit": "10.50"},
        before={
            "customer_id": n,
            "name": f"Customer {n}",
            "tier": "silver",
            "credit_limit": "5.00",
            "updated_by": None,
            "updated_at": "2026-01-01T00:00:00.000000Z",
        },
        reason="contract signed",
        requested_by=requested_by,
        created_at=at,
        updated_at=at,
        approval_id=f"apr-{n:04d}",
        required_approvals=1,
    )


@pytest.mark.asyncio
class ChangeStoreContract:
    """Behaviour shared by every change request store (the subclass provides ``store``)."""

    async def test_added_change_round_trips_exactly(
        self, store: ChangeStore, writer: Writer
    ) -> None:
        change = sample_change(1)
        await writer.add(change)
        assert await store.get(change.id) == change

    async def test_applied_change_round_trips_with_approvers_and_failure(
        self, store: ChangeStore, writer: Writer
    ) -> None:
        change = sample_change(1)
        await writer.add(change)
        applied = change.moved(
            ChangeStatus.APPLIED,
            START + timedelta(hours=1),
            approvers=("u-bob", "u-carol"),
            executed_by="sp-app",
            applied_at=START + timedelta(hours=1),
        )
        await writer.save(applied, expected_version=1)
        assert await store.get(change.id) == applied
        other = sample_change(2)
        await writer.add(other)
        failed = other.moved(
            ChangeStatus.APPLY_FAILED, START, failure="the row changed (columns: tier)"
        )
        await writer.save(failed, expected_version=1)
        assert (await store.get(other.id)).failure == "the row changed (columns: tier)"

    async def test_unknown_id_is_not_found(self, store: ChangeStore) -> None:
        with pytest.raises(NotFound):
            await store.get("chg-missing")

    async def test_query_filters_by_status_table_and_requester(
        self, store: ChangeStore, writer: Writer
    ) -> None:
        other = TableName("demo", "crm", "notes")
        changes = [
            sample_change(1),
            sample_change(2, requested_by="u-dave"),
            sample_change(3, table=other),
        ]
        for change in changes:
            await writer.add(change)
        await writer.save(changes[0].moved(ChangeStatus.APPROVED, START), expected_version=1)

        async def ids(query: ChangeQuery) -> list[str]:
            return [c.id for c in (await store.query(query)).items]

        assert await ids(ChangeQuery(statuses=frozenset({ChangeStatus.APPROVED}))) == ["chg-0001"]
        assert await ids(ChangeQuery(requested_by="u-dave")) == ["chg-0002"]
        assert await ids(ChangeQuery(table="demo.crm.notes")) == ["chg-0003"]
        assert await ids(ChangeQuery(table="demo.crm.customers")) == ["chg-0001", "chg-0002"]

    async def test_query_pages_cover_every_change_once_in_order(
        self, store: ChangeStore, writer: Writer
    ) -> None:
        for n in range(1, 10):
            await writer.add(sample_change(n))
        seen: list[str] = []
        token = None
        while True:
            page = await store.query(ChangeQuery(page_size=4, page_token=token))
            seen.extend(c.id for c in page.items)
            token = page.next_page_token
            if token is None:
                break
        assert seen == [f"chg-{n:04d}" for n in range(1, 10)]

    async def test_malformed_page_token_is_invalid_input(self, store: ChangeStore) -> None:
        with pytest.raises(InvalidInput):
            await store.query(ChangeQuery(page_token="not-a-token!"))
