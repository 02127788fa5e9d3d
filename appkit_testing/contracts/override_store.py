"""The contract every :class:`appkit_domain.ports.override_store.OverrideStore` honours.

Subclass :class:`OverrideStoreContract` and provide a ``store`` fixture that
yields an empty store::

    class TestMyOverrideStore(OverrideStoreContract):
        @pytest.fixture
        async def store(self):
            yield MyOverrideStore(...)
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from appkit_domain.errors import Conflict, InvalidInput, NotFound, StaleVersion
from appkit_domain.overrides import MetricKey, MetricOverride, OverrideStatus
from appkit_domain.ports.override_store import OverrideStore

START = datetime(2026, 3, 2, 8, 30, 0, 123456, tzinfo=timezone.utc)
KEY = MetricKey("acme", "pd", "2026-Q1")
OTHER = MetricKey("acme", "lgd", "2026-Q1")


def make_override(
    n: int,
    *,
    key: MetricKey = KEY,
    created: timedelta = timedelta(0),
    status: OverrideStatus = OverrideStatus.PENDING,
) -> MetricOverride:
    """An override numbered ``n``, created ``created`` after the contract's start time."""
    at = START + created
    return MetricOverride(
        id=f"ovr-{n:04d}",
        key=key,
        value=Decimal("0.0425") + n,
        computed_value=Decimal("0.0400") if n % 2 else None,
        justification=f"reason {n}: ünïcode and 'quotes'",
        effective_from=at,
        effective_to=at + timedelta(days=30) if n % 2 else None,
        proposed_by="u-alice",
        approval_id=f"apr-{n:04d}",
        created_at=at,
        status=status,
    )


def activated(override: MetricOverride, at: datetime) -> MetricOverride:
    return replace(
        override,
        status=OverrideStatus.ACTIVE,
        applied_at=at,
        approved_by=("u-bob", "u-carol"),
        version=override.version + 1,
    )


@pytest.mark.asyncio
class OverrideStoreContract:
    """Behaviour shared by every override store (the subclass provides ``store``)."""

    async def test_added_override_round_trips_exactly(self, store: OverrideStore) -> None:
        for n in (1, 2):
            override = make_override(n)
            await store.add(override)
            assert await store.get(override.id) == override

    async def test_adding_an_existing_id_is_a_conflict(self, store: OverrideStore) -> None:
        await store.add(make_override(1))
        with pytest.raises(Conflict):
            await store.add(make_override(1, key=OTHER))
        assert (await store.get("ovr-0001")).key == KEY

    async def test_unknown_id_is_not_found(self, store: OverrideStore) -> None:
        with pytest.raises(NotFound):
            await store.get("ovr-none")
        with pytest.raises(NotFound):
            await store.save(replace(make_override(5), version=2), expected_version=1)

    async def test_versioned_save_replaces_and_round_trips(self, store: OverrideStore) -> None:
        override = make_override(3)
        await store.add(override)
        active = activated(override, START + timedelta(hours=1))
        await store.save(active, expected_version=1)
        superseded = replace(
            active,
            status=OverrideStatus.SUPERSEDED,
            superseded_by="ovr-0009",
            superseded_at=START + timedelta(hours=2),
            version=3,
        )
        await store.save(superseded, expected_version=2)
        assert await store.get(override.id) == superseded

    async def test_stale_save_changes_nothing(self, store: OverrideStore) -> None:
        override = make_override(4)
        await store.add(override)
        await store.save(activated(override, START), expected_version=1)
        with pytest.raises(StaleVersion):
            await store.save(replace(override, justification="late", version=2), expected_version=1)
        assert (await store.get(override.id)).status is OverrideStatus.ACTIVE

    async def test_save_must_step_the_version_by_one(self, store: OverrideStore) -> None:
        await store.add(make_override(6))
        with pytest.raises(InvalidInput):
            await store.save(replace(make_override(6), version=4), expected_version=1)

    async def test_concurrent_saves_of_one_version_let_exactly_one_win(
        self, store: OverrideStore
    ) -> None:
        override = make_override(7)
        await store.add(override)
        outcomes = await asyncio.gather(
            *(store.save(activated(override, START), expected_version=1) for _ in range(8)),
            return_exceptions=True,
        )
        assert sum(o is None for o in outcomes) == 1
        assert all(o is None or isinstance(o, StaleVersion) for o in outcomes)

    async def test_active_lists_only_active_overrides_of_the_key_by_apply_time(
        self, store: OverrideStore
    ) -> None:
        for n in range(5):
            await store.add(make_override(n, key=OTHER if n == 4 else KEY))
        for n, hours in ((2, 1), (0, 3), (4, 1)):
            current = await store.get(f"ovr-{n:04d}")
            await store.save(activated(current, START + timedelta(hours=hours)), expected_version=1)
        assert [o.id for o in await store.active(KEY)] == ["ovr-0002", "ovr-0000"]
        assert [o.id for o in await store.active(OTHER)] == ["ovr-0004"]
        assert await store.active(MetricKey("x", "y", "z")) == []

    async def test_history_pages_every_override_of_the_key_once_in_order(
        self, store: OverrideStore
    ) -> None:
        for n in range(7):
            await store.add(make_override(n, created=timedelta(minutes=n // 2)))
        await store.add(make_override(20, key=OTHER))
        seen: list[str] = []
        token = None
        pages = 0
        while True:
            page = await store.history(KEY, page_size=3, page_token=token)
            pages += 1
            seen.extend(o.id for o in page.items)
            token = page.next_page_token
            if token is None:
                break
        assert pages == 3
        assert seen == [f"ovr-{n:04d}" for n in range(7)]
        with pytest.raises(InvalidInput):
            await store.history(KEY, page_token="not-a-token!")
