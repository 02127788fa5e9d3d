"""The contract every :class:`appkit_domain.ports.override_store.OverrideStore` honours.

Subclass :class:`OverrideStoreContract` and provide a ``store`` fixture that
yields an empty store::

    class TestMyOverrideStore(OverrideStoreContract):
        @pytest.fixture
        async def store(self):
            yield MyOverrideStore(...)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from appkit_domain.errors import InvalidInput, NotFound
from appkit_domain.overrides import MetricKey, MetricOverride, OverrideStatus
from appkit_domain.ports.override_store import OverrideStore
from appkit_testing.contracts.seeding import Writer

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

    async def test_added_override_round_trips_exactly(
        self, store: OverrideStore, writer: Writer
    ) -> None:
        for n in (1, 2):
            override = make_override(n)
            await writer.add(override)
            assert await store.get(override.id) == override

    async def test_unknown_id_is_not_found(self, store: OverrideStore) -> None:
        with pytest.raises(NotFound):
            await store.get("ovr-none")

    async def test_versioned_save_replaces_and_round_trips(
        self, store: OverrideStore, writer: Writer
    ) -> None:
        override = make_override(3)
        await writer.add(override)
        active = activated(override, START + timedelta(hours=1))
        await writer.save(active, expected_version=1)
        superseded = replace(
            active,
            status=OverrideStatus.SUPERSEDED,
            superseded_by="ovr-0009",
            superseded_at=START + timedelta(hours=2),
            version=3,
        )
        await writer.save(superseded, expected_version=2)
        assert await store.get(override.id) == superseded

    async def test_active_lists_only_active_overrides_of_the_key_by_apply_time(
        self, store: OverrideStore, writer: Writer
    ) -> None:
        for n in range(5):
            await writer.add(make_override(n, key=OTHER if n == 4 else KEY))
        for n, hours in ((2, 1), (0, 3), (4, 1)):
            current = await store.get(f"ovr-{n:04d}")
            await writer.save(
                activated(current, START + timedelta(hours=hours)), expected_version=1
            )
        assert [o.id for o in await store.active(KEY)] == ["ovr-0002", "ovr-0000"]
        assert [o.id for o in await store.active(OTHER)] == ["ovr-0004"]
        assert await store.active(MetricKey("x", "y", "z")) == []

    async def test_history_pages_every_override_of_the_key_once_in_order(
        self, store: OverrideStore, writer: Writer
    ) -> None:
        for n in range(7):
            await writer.add(make_override(n, created=timedelta(minutes=n // 2)))
        await writer.add(make_override(20, key=OTHER))
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
