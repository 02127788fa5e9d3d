"""The contract every :class:`appkit_domain.ports.audit_store.AuditStore` honours.

Subclass :class:`AuditStoreContract` and provide a ``store`` fixture that
yields an empty store::

    class TestMyAuditStore(AuditStoreContract):
        @pytest.fixture
        async def store(self):
            yield MyAuditStore(...)
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from appkit_domain.audit import AuditEvent, AuditLog, AuditQuery
from appkit_domain.errors import Conflict, InvalidInput
from appkit_domain.ports.audit_store import AuditStore
from appkit_testing.fakes.clock import ControllableClock
from appkit_testing.fakes.ids import SequentialIds

START = datetime(2026, 3, 2, 8, 30, 0, 123456, tzinfo=timezone.utc)


def _log(
    store: AuditStore, stream: str = "app-1", clock: ControllableClock | None = None
) -> AuditLog:
    return AuditLog(store, clock or ControllableClock(START), SequentialIds(), stream=stream)


async def _append_many(
    log: AuditLog, clock: ControllableClock, count: int, **fields: Any
) -> list[AuditEvent]:
    events = []
    for i in range(count):
        clock.advance(seconds=1)
        events.append(
            await log.append(
                actor=fields.get("actor", "alice"),
                action=fields.get("action", "approval.approve"),
                target=fields.get("target", f"approval:{i}"),
                details=fields.get("details", {"n": i}),
            )
        )
    return events


@pytest.mark.asyncio
class AuditStoreContract:
    """Behaviour shared by every audit store (the subclass provides ``store``)."""

    async def test_empty_store_has_no_streams_and_no_head(self, store: AuditStore) -> None:
        assert await store.streams() == []
        assert await store.head("app-1") is None
        assert await store.read("app-1") == []

    async def test_events_round_trip_exactly(self, store: AuditStore) -> None:
        log = _log(store)
        written = await log.append(
            actor="user-1",
            on_behalf_of="sp-9",
            action="writeback.apply",
            target="demo.crm.customers:42",
            request_id="req-7",
            details={
                "before": {"tier": "gold"},
                "after": {"tier": "platinum"},
                "n": [1, 2.5, None],
            },
        )
        (stored,) = await store.read("app-1")
        assert stored == written
        assert stored.at == START
        assert dict(stored.details) == {
            "before": {"tier": "gold"},
            "after": {"tier": "platinum"},
            "n": [1, 2.5, None],
        }

    async def test_head_is_the_highest_sequence_number(self, store: AuditStore) -> None:
        clock = ControllableClock(START)
        events = await _append_many(_log(store, clock=clock), clock, 5)
        head = await store.head("app-1")
        assert head is not None
        assert (head.seq, head.hash) == (5, events[-1].hash)

    async def test_read_returns_a_window_of_sequence_numbers_in_order(
        self, store: AuditStore
    ) -> None:
        clock = ControllableClock(START)
        await _append_many(_log(store, clock=clock), clock, 12)
        window = await store.read("app-1", after_seq=3, limit=5)
        assert [e.seq for e in window] == [4, 5, 6, 7, 8]
        assert [e.seq for e in await store.read("app-1", after_seq=10)] == [11, 12]

    async def test_duplicate_sequence_number_is_a_conflict_and_stores_nothing(
        self, store: AuditStore
    ) -> None:
        clock = ControllableClock(START)
        first = (await _append_many(_log(store, clock=clock), clock, 1))[0]
        fresh = AuditEvent(
            id="evt-other",
            stream="app-1",
            seq=2,
            at=START,
            actor="x",
            action="a",
            target="t",
            details={},
            prev_hash=first.hash,
            hash="0" * 64,
        )
        clash = AuditEvent(
            id="evt-clash",
            stream="app-1",
            seq=1,
            at=START,
            actor="x",
            action="a",
            target="t",
            details={},
            prev_hash="0" * 64,
            hash="1" * 64,
        )
        with pytest.raises(Conflict):
            await store.append([fresh, clash])
        assert [e.id for e in await store.read("app-1")] == [first.id]

    async def test_streams_are_independent_chains(self, store: AuditStore) -> None:
        clock = ControllableClock(START)
        await _append_many(_log(store, "app-1", clock), clock, 3)
        await _append_many(_log(store, "app-2", clock), clock, 2)
        assert await store.streams() == ["app-1", "app-2"]
        assert [e.seq for e in await store.read("app-2")] == [1, 2]
        report = await _log(store).verify()
        assert report.ok, report.first_broken

    async def test_query_filters_by_target_actor_action_and_time(self, store: AuditStore) -> None:
        clock = ControllableClock(START)
        log = _log(store, clock=clock)
        await _append_many(log, clock, 3, actor="alice", action="override.propose", target="ovr:1")
        await _append_many(log, clock, 2, actor="bob", action="approval.approve", target="ovr:1")
        await _append_many(log, clock, 4, actor="bob", action="approval.approve", target="ovr:2")

        async def ids(**filters: Any) -> list[int]:
            page = await store.query(AuditQuery(page_size=100, **filters))
            return [e.seq for e in page.items]

        assert await ids(target="ovr:1") == [1, 2, 3, 4, 5]
        assert await ids(actor="bob") == [4, 5, 6, 7, 8, 9]
        assert await ids(action="override.propose") == [1, 2, 3]
        assert await ids(actor="bob", target="ovr:2") == [6, 7, 8, 9]
        since = START + timedelta(seconds=4)
        until = START + timedelta(seconds=7)
        assert await ids(since=since, until=until) == [4, 5, 6]
        assert await ids(actor="nobody") == []

    async def test_query_pages_cover_every_event_once_in_order(self, store: AuditStore) -> None:
        clock = ControllableClock(START)
        await _append_many(_log(store, "app-1", clock), clock, 7)
        await _append_many(_log(store, "app-2", clock), clock, 6)
        seen: list[tuple[str, int]] = []
        token = None
        pages = 0
        while True:
            page = await store.query(AuditQuery(page_size=4, page_token=token))
            pages += 1
            seen.extend((e.stream, e.seq) for e in page.items)
            token = page.next_page_token
            if token is None:
                break
        assert pages == 4
        assert len(seen) == 13 and len(set(seen)) == 13
        times = [e.at for e in (await store.query(AuditQuery(page_size=100))).items]
        assert times == sorted(times)

    async def test_malformed_page_token_is_invalid_input(self, store: AuditStore) -> None:
        with pytest.raises(InvalidInput):
            await store.query(AuditQuery(page_token="not-a-token!"))

    async def test_concurrent_appends_all_land_and_verify(self, store: AuditStore) -> None:
        log = _log(store)
        events = await asyncio.gather(
            *(log.append(actor=f"user-{i}", action="a", target=f"t:{i}") for i in range(60))
        )
        assert sorted(e.seq for e in events) == list(range(1, 61))
        assert len(await store.read("app-1", limit=100)) == 60
        assert (await log.verify()).ok
