"""The contract every :class:`appkit_domain.ports.dq_store.DqStore` honours.

Subclass :class:`DqStoreContract` and provide a ``store`` fixture that yields
an empty store::

    class TestMyDqStore(DqStoreContract):
        @pytest.fixture
        async def store(self):
            yield MyDqStore(...)
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from appkit_domain.dq import DqException, DqQuery, DqStatus, Severity, Waiver
from appkit_domain.dq.fingerprint import failure_fingerprint
from appkit_domain.errors import Conflict, InvalidInput, NotFound, StaleVersion
from appkit_domain.identifiers import TableName
from appkit_domain.ports.dq_store import DqStore

START = datetime(2026, 3, 2, 8, 30, 0, 123456, tzinfo=timezone.utc)
TABLE = TableName("demo", "crm", "customers")


def sample_exception(
    n: int,
    *,
    severity: Severity = Severity.HIGH,
    owner: str = "alice",
    table: TableName = TABLE,
    check: str = "tier_not_null",
    detected_at: datetime | None = None,
) -> DqException:
    """An ``OPEN`` exception numbered ``n``; distinct ``n`` give distinct fingerprints."""
    detected = detected_at or START + timedelta(minutes=n)
    return DqException(
        id=f"dqx-{n:04d}",
        fingerprint=failure_fingerprint(check, table.full_name, f"customer_id={n}"),
        check=check,
        table=table,
        rule="tier IS NOT NULL",
        severity=severity,
        observed_value=n * 1.5,
        failing_key=f"customer_id={n}",
        failing_rows_ref=f"demo.dq.failing_rows/{n}",
        detected_at=detected,
        owner=owner,
        due_at=detected + timedelta(days=2),
    )


async def _save_steps(store: DqStore, *steps: DqException) -> None:
    for step in steps:
        await store.save(step, expected_version=step.version - 1)


@pytest.mark.asyncio
class DqStoreContract:
    """Behaviour shared by every DQ exception store (the subclass provides ``store``)."""

    async def test_added_exception_round_trips_exactly(self, store: DqStore) -> None:
        item = sample_exception(1)
        await store.add(item)
        assert await store.get(item.id) == item
        assert await store.find_by_fingerprint(item.fingerprint) == item

    async def test_waived_exception_round_trips_with_its_waiver(self, store: DqStore) -> None:
        item = sample_exception(1)
        await store.add(item)
        acked = item.acknowledged("alice", START + timedelta(hours=1))
        await store.save(acked, expected_version=1)
        waiver = Waiver("apr-1", "known upstream gap", START + timedelta(days=5), START)
        waived = acked.waived(waiver)
        await store.save(waived, expected_version=2)
        stored = await store.get(item.id)
        assert stored == waived
        assert stored.status is DqStatus.WAIVED and stored.waiver == waiver

    async def test_unknown_id_is_not_found(self, store: DqStore) -> None:
        with pytest.raises(NotFound):
            await store.get("dqx-missing")
        assert await store.find_by_fingerprint("0" * 64) is None

    async def test_duplicate_id_or_fingerprint_is_a_conflict(self, store: DqStore) -> None:
        first = sample_exception(1)
        await store.add(first)
        with pytest.raises(Conflict):
            await store.add(dataclasses.replace(sample_exception(2), id=first.id))
        with pytest.raises(Conflict):
            await store.add(dataclasses.replace(sample_exception(1), id="dqx-other"))
        assert (await store.query(DqQuery())).items == [first]

    async def test_concurrent_adds_of_one_fingerprint_store_one(self, store: DqStore) -> None:
        copies = [dataclasses.replace(sample_exception(1), id=f"dqx-c{i}") for i in range(5)]
        results = await asyncio.gather(*(store.add(c) for c in copies), return_exceptions=True)
        assert sum(1 for r in results if r is None) == 1
        assert all(isinstance(r, Conflict) for r in results if r is not None)
        assert len((await store.query(DqQuery())).items) == 1

    async def test_save_from_stale_version_fails_and_changes_nothing(self, store: DqStore) -> None:
        item = sample_exception(1)
        await store.add(item)
        first = item.acknowledged("alice", START)
        await store.save(first, expected_version=1)
        with pytest.raises(StaleVersion):
            await store.save(item.acknowledged("bob", START), expected_version=1)
        assert await store.get(item.id) == first

    async def test_save_must_be_one_version_ahead(self, store: DqStore) -> None:
        item = sample_exception(1)
        await store.add(item)
        with pytest.raises(InvalidInput):
            await store.save(item, expected_version=1)

    async def test_save_of_unknown_id_is_not_found(self, store: DqStore) -> None:
        with pytest.raises(NotFound):
            await store.save(sample_exception(9).acknowledged("a", START), expected_version=1)

    async def test_concurrent_saves_from_one_version_let_one_win(self, store: DqStore) -> None:
        item = sample_exception(1)
        await store.add(item)
        candidates = [item.acknowledged(f"user-{i}", START) for i in range(4)]
        results = await asyncio.gather(
            *(store.save(c, expected_version=1) for c in candidates), return_exceptions=True
        )
        assert sum(1 for r in results if r is None) == 1
        assert all(isinstance(r, StaleVersion) for r in results if r is not None)
        assert (await store.get(item.id)).version == 2

    async def test_query_filters_by_status_severity_owner_table_and_check(
        self, store: DqStore
    ) -> None:
        other = TableName("demo", "risk", "metrics")
        items = [
            sample_exception(1, severity=Severity.LOW),
            sample_exception(2, severity=Severity.CRITICAL, owner="bob"),
            sample_exception(3, table=other, check="value_in_range"),
        ]
        for item in items:
            await store.add(item)
        await store.save(items[0].acknowledged("alice", START), expected_version=1)

        async def ids(**filters: object) -> list[str]:
            return [e.id for e in (await store.query(DqQuery(**filters))).items]  # type: ignore[arg-type]

        assert await ids(statuses=frozenset({DqStatus.ACKNOWLEDGED})) == ["dqx-0001"]
        assert await ids(severities=frozenset({Severity.CRITICAL})) == ["dqx-0002"]
        assert await ids(owner="bob") == ["dqx-0002"]
        assert await ids(table="demo.risk.metrics") == ["dqx-0003"]
        assert await ids(check="tier_not_null") == ["dqx-0001", "dqx-0002"]
        assert await ids(owner="nobody") == []

    async def test_query_overdue_excludes_resolved_and_waived(self, store: DqStore) -> None:
        items = [sample_exception(n) for n in range(1, 5)]
        for item in items:
            await store.add(item)
        acked = items[1].acknowledged("alice", START)
        await _save_steps(store, acked, acked.resolved("alice", START, "fixed"))
        waiver = Waiver("apr-1", "ok", START + timedelta(days=30), START)
        acked = items[2].acknowledged("alice", START)
        await _save_steps(store, acked, acked.waived(waiver))
        later = START + timedelta(days=3)
        page = await store.query(DqQuery(overdue_at=later))
        assert [e.id for e in page.items] == ["dqx-0001", "dqx-0004"]
        assert (await store.query(DqQuery(overdue_at=START))).items == []

    async def test_query_waiver_ends_by_lists_only_ended_waivers(self, store: DqStore) -> None:
        items = [sample_exception(n) for n in range(1, 4)]
        for item in items:
            await store.add(item)
        for item, days in zip(items[:2], (1, 10)):
            waiver = Waiver(f"apr-{days}", "ok", START + timedelta(days=days), START)
            acked = item.acknowledged("alice", START)
            await _save_steps(store, acked, acked.waived(waiver))
        page = await store.query(DqQuery(waiver_ends_by=START + timedelta(days=1)))
        assert [e.id for e in page.items] == ["dqx-0001"]

    async def test_query_pages_cover_every_exception_once_in_order(self, store: DqStore) -> None:
        for n in range(1, 12):
            await store.add(sample_exception(n))
        seen: list[str] = []
        token = None
        pages = 0
        while True:
            page = await store.query(DqQuery(page_size=4, page_token=token))
            pages += 1
            seen.extend(e.id for e in page.items)
            token = page.next_page_token
            if token is None:
                break
        assert pages == 3
        assert seen == [f"dqx-{n:04d}" for n in range(1, 12)]

    async def test_malformed_page_token_is_invalid_input(self, store: DqStore) -> None:
        with pytest.raises(InvalidInput):
            await store.query(DqQuery(page_token="not-a-token!"))
