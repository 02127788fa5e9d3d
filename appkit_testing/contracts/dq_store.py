"""The contract every :class:`appkit_domain.ports.dq_store.DqStore` honours.

Subclass :class:`DqStoreContract` and provide a ``store`` fixture that yields
an empty store::

    class TestMyDqStore(DqStoreContract):
        @pytest.fixture
        async def store(self):
            yield MyDqStore(...)
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from appkit_domain.dq import DqException, DqQuery, DqStatus, Severity, Waiver
from appkit_domain.dq.fingerprint import failure_fingerprint
from appkit_domain.errors import InvalidInput, NotFound
from appkit_domain.identifiers import TableName
from appkit_domain.ports.dq_store import DqStore
from appkit_testing.contracts.seeding import Writer

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


async def _save_steps(writer: Writer, *steps: DqException) -> None:
    for step in steps:
        await writer.save(step, expected_version=step.version - 1)


@pytest.mark.asyncio
class DqStoreContract:
    """Behaviour shared by every DQ exception store (the subclass provides ``store``)."""

    async def test_added_exception_round_trips_exactly(
        self, store: DqStore, writer: Writer
    ) -> None:
        item = sample_exception(1)
        await writer.add(item)
        assert await store.get(item.id) == item
        assert await store.find_by_fingerprint(item.fingerprint) == item

    async def test_waived_exception_round_trips_with_its_waiver(
        self, store: DqStore, writer: Writer
    ) -> None:
        item = sample_exception(1)
        await writer.add(item)
        acked = item.acknowledged("alice", START + timedelta(hours=1))
        await writer.save(acked, expected_version=1)
        waiver = Waiver("apr-1", "known upstream gap", START + timedelta(days=5), START)
        waived = acked.waived(waiver)
        await writer.save(waived, expected_version=2)
        stored = await store.get(item.id)
        assert stored == waived
        assert stored.status is DqStatus.WAIVED and stored.waiver == waiver

    async def test_unknown_id_is_not_found(self, store: DqStore) -> None:
        with pytest.raises(NotFound):
            await store.get("dqx-missing")
        assert await store.find_by_fingerprint("0" * 64) is None

    async def test_query_filters_by_status_severity_owner_table_and_check(
        self, store: DqStore, writer: Writer
    ) -> None:
        other = TableName("demo", "risk", "metrics")
        items = [
            sample_exception(1, severity=Severity.LOW),
            sample_exception(2, severity=Severity.CRITICAL, owner="bob"),
            sample_exception(3, table=other, check="value_in_range"),
        ]
        for item in items:
            await writer.add(item)
        await writer.save(items[0].acknowledged("alice", START), expected_version=1)

        async def ids(**filters: object) -> list[str]:
            return [e.id for e in (await store.query(DqQuery(**filters))).items]  # type: ignore[arg-type]

        assert await ids(statuses=frozenset({DqStatus.ACKNOWLEDGED})) == ["dqx-0001"]
        assert await ids(severities=frozenset({Severity.CRITICAL})) == ["dqx-0002"]
        assert await ids(owner="bob") == ["dqx-0002"]
        assert await ids(table="demo.risk.metrics") == ["dqx-0003"]
        assert await ids(check="tier_not_null") == ["dqx-0001", "dqx-0002"]
        assert await ids(owner="nobody") == []

    async def test_query_overdue_excludes_resolved_and_waived(
        self, store: DqStore, writer: Writer
    ) -> None:
        items = [sample_exception(n) for n in range(1, 5)]
        for item in items:
            await writer.add(item)
        acked = items[1].acknowledged("alice", START)
        await _save_steps(writer, acked, acked.resolved("alice", START, "fixed"))
        waiver = Waiver("apr-1", "ok", START + timedelta(days=30), START)
        acked = items[2].acknowledged("alice", START)
        await _save_steps(writer, acked, acked.waived(waiver))
        later = START + timedelta(days=3)
        page = await store.query(DqQuery(overdue_at=later))
        assert [e.id for e in page.items] == ["dqx-0001", "dqx-0004"]
        assert (await store.query(DqQuery(overdue_at=START))).items == []

    async def test_query_waiver_ends_by_lists_only_ended_waivers(
        self, store: DqStore, writer: Writer
    ) -> None:
        items = [sample_exception(n) for n in range(1, 4)]
        for item in items:
            await writer.add(item)
        for item, days in zip(items[:2], (1, 10)):
            waiver = Waiver(f"apr-{days}", "ok", START + timedelta(days=days), START)
            acked = item.acknowledged("alice", START)
            await _save_steps(writer, acked, acked.waived(waiver))
        page = await store.query(DqQuery(waiver_ends_by=START + timedelta(days=1)))
        assert [e.id for e in page.items] == ["dqx-0001"]

    async def test_query_pages_cover_every_exception_once_in_order(
        self, store: DqStore, writer: Writer
    ) -> None:
        for n in range(1, 12):
            await writer.add(sample_exception(n))
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
