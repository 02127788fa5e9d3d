"""Resilience pipeline rules, every one driven by virtual time and a seeded random source."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appkit_adapters.resilience import (
    AttemptTimedOut,
    BackoffSchedule,
    CircuitOpen,
    CircuitState,
    DeadlineExceeded,
    ResiliencePipeline,
    ResiliencePolicy,
    VirtualTime,
)
from appkit_domain.errors import NotFound, RateLimited, Unavailable

POLICY = ResiliencePolicy(
    retry_max_attempts=4,
    retry_initial_delay=1.0,
    retry_max_delay=8.0,
    retry_after_cap=30.0,
    rate_limit_requests_per_second=None,
    circuit_breaker_failure_threshold=100,
    circuit_breaker_timeout=10.0,
    request_timeout=5.0,
    deadline=120.0,
)


class Flaky:
    """Fails with the queued errors in order, then returns ``"ok"``."""

    def __init__(self, *errors: BaseException, time: VirtualTime | None = None, takes=0.0):
        self.errors = list(errors)
        self.calls = 0
        self.time = time
        self.takes = takes

    async def __call__(self) -> str:
        self.calls += 1
        if self.time is not None and self.takes:
            await self.time.sleep(self.takes)
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def pipeline(
    policy: ResiliencePolicy = POLICY, seed: int = 7
) -> tuple[ResiliencePipeline, VirtualTime]:
    time = VirtualTime()
    return ResiliencePipeline(policy, timer=time, rng=random.Random(seed)), time


async def test_transient_errors_are_retried_with_full_jitter_exponential_backoff() -> None:
    pipe, time = pipeline()
    op = Flaky(Unavailable("a"), Unavailable("b"), Unavailable("c"))
    assert await pipe.call(op, idempotent=True) == "ok"
    expected_rng = random.Random(7)
    expected = [expected_rng.uniform(0, window) for window in (1.0, 2.0, 4.0)]
    assert time.sleeps == pytest.approx(expected)
    assert op.calls == 4
    assert pipe.counters.retries == 3


def test_backoff_windows_double_up_to_the_cap() -> None:
    schedule = BackoffSchedule(0.5, 3.0, random.Random(1))
    assert [schedule.next_window() for _ in range(6)] == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


def test_every_jittered_delay_stays_within_its_window() -> None:
    schedule = BackoffSchedule(0.1, 2.0, random.Random(3))
    for window in (0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0):
        assert 0.0 <= schedule.next_delay() <= window


async def test_attempts_stop_at_the_configured_maximum() -> None:
    pipe, time = pipeline(replace(POLICY, retry_max_attempts=2))
    op = Flaky(Unavailable("1"), Unavailable("2"), Unavailable("3"))
    with pytest.raises(Unavailable, match="2"):
        await pipe.call(op, idempotent=True)
    assert op.calls == 2
    assert len(time.sleeps) == 1


async def test_non_idempotent_calls_are_never_retried() -> None:
    pipe, time = pipeline()
    op = Flaky(Unavailable("busy"))
    with pytest.raises(Unavailable):
        await pipe.call(op, idempotent=False)
    assert op.calls == 1
    assert time.sleeps == []


async def test_business_errors_are_not_retried() -> None:
    pipe, _ = pipeline()
    op = Flaky(NotFound("no table"))
    with pytest.raises(NotFound):
        await pipe.call(op, idempotent=True)
    assert op.calls == 1


async def test_retry_after_replaces_the_backoff_delay() -> None:
    pipe, time = pipeline()
    op = Flaky(RateLimited("slow down", retry_after=7.0), Unavailable("x"))
    assert await pipe.call(op, idempotent=True) == "ok"
    # the Retry-After wait is exact; the next delay still comes from the second window
    assert time.sleeps[0] == 7.0
    rng = random.Random(7)
    assert time.sleeps[1] == pytest.approx(rng.uniform(0, 2.0))


async def test_retry_after_is_capped_by_the_policy() -> None:
    pipe, time = pipeline(replace(POLICY, retry_after_cap=3.0))
    op = Flaky(RateLimited("slow down", retry_after=500.0))
    await pipe.call(op, idempotent=True)
    assert time.sleeps == [3.0]


async def test_a_retry_that_would_end_past_the_deadline_is_not_attempted() -> None:
    pipe, time = pipeline(replace(POLICY, deadline=10.0))
    op = Flaky(RateLimited("wait", retry_after=20.0))
    with pytest.raises(RateLimited):
        await pipe.call(op, idempotent=True)
    assert op.calls == 1
    assert time.sleeps == []


async def test_the_deadline_caps_all_attempts_together() -> None:
    pipe, time = pipeline(replace(POLICY, retry_max_attempts=50, request_timeout=None))
    start = time.now
    op = Flaky(*[Unavailable(str(i)) for i in range(50)], time=time, takes=3.0)
    with pytest.raises(Unavailable):
        await pipe.call(op, idempotent=True, deadline=20.0)
    assert time.now - start <= 20.0 + 3.0  # the last attempt started before the deadline
    assert op.calls < 50


async def test_an_attempt_longer_than_the_remaining_deadline_is_deadline_exceeded() -> None:
    pipe, _ = pipeline(replace(POLICY, request_timeout=None))
    op = Flaky(time=pipe.timer, takes=30.0)  # type: ignore[arg-type]
    with pytest.raises(DeadlineExceeded):
        await pipe.call(op, idempotent=True, deadline=10.0)


async def test_a_slow_attempt_times_out_and_is_retried_when_idempotent() -> None:
    pipe, time = pipeline()
    calls = 0

    async def slow_then_fast() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            await time.sleep(6.0)  # longer than request_timeout=5
        return "fast"

    assert await pipe.call(slow_then_fast, idempotent=True) == "fast"
    assert calls == 2


async def test_a_slow_non_idempotent_attempt_times_out_without_retry() -> None:
    pipe, time = pipeline()
    op = Flaky(time=time, takes=6.0)
    with pytest.raises(AttemptTimedOut):
        await pipe.call(op, idempotent=False)
    assert op.calls == 1


def breaker_policy() -> ResiliencePolicy:
    return replace(
        POLICY,
        retry_max_attempts=1,
        circuit_breaker_failure_threshold=3,
        circuit_breaker_timeout=10.0,
        circuit_breaker_half_open_probes=1,
    )


async def test_breaker_opens_after_consecutive_failures_and_refuses_calls() -> None:
    pipe, _ = pipeline(breaker_policy())
    for _ in range(3):
        with pytest.raises(Unavailable):
            await pipe.call(Flaky(Unavailable("down")), idempotent=True)
    assert pipe.circuit_state is CircuitState.OPEN
    op = Flaky()
    with pytest.raises(CircuitOpen) as refused:
        await pipe.call(op, idempotent=True)
    assert op.calls == 0
    assert refused.value.retry_after == pytest.approx(10.0)
    assert pipe.breaker.snapshot().state is CircuitState.OPEN


async def test_a_success_resets_the_consecutive_failure_count() -> None:
    pipe, _ = pipeline(breaker_policy())
    for _ in range(2):
        with pytest.raises(Unavailable):
            await pipe.call(Flaky(Unavailable("down")), idempotent=True)
    await pipe.call(Flaky(), idempotent=True)
    with pytest.raises(Unavailable):
        await pipe.call(Flaky(Unavailable("down")), idempotent=True)
    assert pipe.circuit_state is CircuitState.CLOSED


async def test_business_errors_and_rate_limits_do_not_open_the_breaker() -> None:
    pipe, _ = pipeline(breaker_policy())
    for error in (NotFound("x"), RateLimited("y"), NotFound("z"), RateLimited("w")):
        with pytest.raises(type(error)):
            await pipe.call(Flaky(error), idempotent=False)
    assert pipe.circuit_state is CircuitState.CLOSED


async def test_half_open_success_closes_the_breaker() -> None:
    pipe, time = pipeline(breaker_policy())
    for _ in range(3):
        with pytest.raises(Unavailable):
            await pipe.call(Flaky(Unavailable("down")), idempotent=True)
    time.advance(10.0)
    assert pipe.circuit_state is CircuitState.HALF_OPEN
    assert await pipe.call(Flaky(), idempotent=True) == "ok"
    assert pipe.circuit_state is CircuitState.CLOSED


async def test_half_open_failure_reopens_the_breaker_for_a_full_timeout() -> None:
    pipe, time = pipeline(breaker_policy())
    for _ in range(3):
        with pytest.raises(Unavailable):
            await pipe.call(Flaky(Unavailable("down")), idempotent=True)
    time.advance(10.0)
    with pytest.raises(Unavailable):
        await pipe.call(Flaky(Unavailable("still down")), idempotent=True)
    assert pipe.circuit_state is CircuitState.OPEN
    assert pipe.breaker.snapshot().retry_after == pytest.approx(10.0)


async def test_half_open_lets_only_the_configured_number_of_probes_through() -> None:
    pipe, time = pipeline(breaker_policy())
    breaker = pipe.breaker
    for _ in range(3):
        breaker.record_failure()
    time.advance(10.0)
    breaker.admit()  # the one probe
    with pytest.raises(CircuitOpen):
        breaker.admit()
    breaker.record_success()
    assert breaker.state is CircuitState.CLOSED
    breaker.admit()


async def test_breaker_reports_state_changes() -> None:
    seen: list[tuple[str, str]] = []
    pipe, time = pipeline(breaker_policy())
    pipe.breaker._on_state_change = lambda old, new: seen.append((old.value, new.value))
    for _ in range(3):
        pipe.breaker.record_failure()
    time.advance(10.0)
    pipe.breaker.admit()
    pipe.breaker.record_success()
    assert seen == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]


async def test_an_open_breaker_is_not_retried_around() -> None:
    pipe, time = pipeline(replace(breaker_policy(), retry_max_attempts=5))
    for _ in range(3):
        pipe.breaker.record_failure()
    with pytest.raises(CircuitOpen):
        await pipe.call(Flaky(), idempotent=True)
    assert time.sleeps == []


async def test_the_rate_limit_waits_for_tokens_before_calling() -> None:
    policy = replace(POLICY, rate_limit_requests_per_second=2.0, rate_limit_burst=2)
    pipe, time = pipeline(policy)
    for _ in range(4):
        await pipe.call(Flaky(), idempotent=True)
    # two from the burst, then one token every 0.5s
    assert time.sleeps == pytest.approx([0.5, 0.5])
    assert pipe.counters.rate_limited_waits == 2


async def test_retry_after_in_an_unavailable_errors_details_is_honoured() -> None:
    pipe, time = pipeline()
    op = Flaky(Unavailable("maintenance", details={"retry_after": 4.0}))
    await pipe.call(op, idempotent=True)
    assert time.sleeps == [4.0]


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    initial=st.floats(0.01, 2.0),
    cap=st.floats(2.0, 20.0),
    deadline=st.floats(1.0, 60.0),
    takes=st.floats(0.0, 3.0),
)
async def test_delays_stay_in_their_window_and_the_deadline_bounds_the_call(
    seed: int, initial: float, cap: float, deadline: float, takes: float
) -> None:
    policy = replace(
        POLICY,
        retry_max_attempts=30,
        retry_initial_delay=initial,
        retry_max_delay=cap,
        request_timeout=None,
    )
    pipe, time = pipeline(policy, seed=seed)
    start = time.now
    op = Flaky(*[Unavailable(str(i)) for i in range(30)], time=time, takes=takes)
    with pytest.raises(Unavailable):
        await pipe.call(op, idempotent=True, deadline=deadline)
    retry_sleeps = [s for s in time.sleeps if s != takes] if takes else time.sleeps
    for sleep in retry_sleeps:
        assert 0.0 <= sleep <= cap
    # every attempt starts before the deadline and is cut at it
    assert time.now - start <= deadline + takes
