"""Token bucket rules on virtual time."""

from __future__ import annotations

import asyncio

import pytest

from appkit_adapters.resilience import TokenBucket, VirtualTime
from appkit_domain.errors import InvalidInput


def test_a_full_bucket_serves_its_burst_at_once() -> None:
    time = VirtualTime()
    bucket = TokenBucket(rate=1.0, burst=3, timer=time)
    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]


def test_tokens_refill_at_the_rate_and_never_exceed_the_burst() -> None:
    time = VirtualTime()
    bucket = TokenBucket(rate=2.0, burst=3, timer=time)
    for _ in range(3):
        bucket.try_acquire()
    time.advance(0.5)
    assert bucket.available == pytest.approx(1.0)
    time.advance(100)
    assert bucket.available == 3.0


async def test_acquire_waits_exactly_until_the_token_exists() -> None:
    time = VirtualTime()
    bucket = TokenBucket(rate=4.0, burst=1, timer=time)
    assert await bucket.acquire() == 0.0
    assert await bucket.acquire() == pytest.approx(0.25)
    assert time.sleeps == pytest.approx([0.25])


async def test_a_cancelled_waiter_takes_no_token() -> None:
    time = VirtualTime()
    bucket = TokenBucket(rate=1.0, burst=1, timer=time)
    bucket.try_acquire()
    gate = asyncio.Event()

    async def blocked_sleep(seconds: float) -> None:
        await gate.wait()

    time.sleep = blocked_sleep  # type: ignore[method-assign]
    waiter = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    time.advance(1.0)
    assert bucket.available == pytest.approx(1.0)


def test_asking_for_more_than_the_burst_is_refused() -> None:
    bucket = TokenBucket(rate=1.0, burst=2, timer=VirtualTime())
    with pytest.raises(InvalidInput):
        bucket.try_acquire(3)
