"""The TTL cache behind column types, privileges and SCIM answers."""

from __future__ import annotations

import asyncio

import pytest

from appkit_adapters.databricks.ttl_cache import TtlCache
from appkit_adapters.resilience import SystemTimer, VirtualTime
from appkit_domain.errors import Unavailable


async def test_concurrent_misses_share_one_load() -> None:
    time = VirtualTime()
    cache: TtlCache[int] = TtlCache(10, time.monotonic)
    gate = asyncio.Event()

    async def load() -> int:
        await gate.wait()
        return 42

    waiters = [asyncio.create_task(cache.get("k", load)) for _ in range(5)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiters) == [42] * 5
    assert cache.loads == 1


async def test_a_failed_load_is_not_cached() -> None:
    time = VirtualTime()
    cache: TtlCache[int] = TtlCache(10, time.monotonic)
    answers: list[int | Exception] = [Unavailable("down"), 7]

    async def load() -> int:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    with pytest.raises(Unavailable):
        await cache.get("k", load)
    assert await cache.get("k", load) == 7


async def test_entries_expire_after_the_ttl_and_the_oldest_are_evicted() -> None:
    time = VirtualTime()
    cache: TtlCache[str] = TtlCache(5, time.monotonic, max_entries=2)

    async def value() -> str:
        return "v"

    for key in ("a", "b", "c"):
        await cache.get(key, value)
    assert cache.peek("a") is None  # evicted
    assert cache.peek("c") == "v"
    time.advance(5)
    assert cache.peek("c") is None  # expired


def test_the_system_timer_reads_its_clock_outside_an_event_loop() -> None:
    first = SystemTimer().monotonic()
    assert SystemTimer().monotonic() >= first
