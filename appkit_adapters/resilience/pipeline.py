"""The resilience pipeline, outermost first:

rate limit -> overall deadline -> retry -> circuit breaker -> per-attempt timeout.

Retries happen only for calls marked idempotent (reads, polling, statements
the caller vouches for) and only for transient dependency errors
(``Unavailable``, attempt timeouts). A ``Retry-After`` the server sent
(``RateLimited.retry_after``, or ``details["retry_after"]`` on another
``Unavailable``) replaces the jittered backoff delay, capped by
the policy. No retry is scheduled that would end past the deadline.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from appkit_adapters.resilience.breaker import CircuitBreaker, CircuitOpen, CircuitState
from appkit_adapters.resilience.policy import ResiliencePolicy
from appkit_adapters.resilience.rate_limit import TokenBucket
from appkit_adapters.resilience.retry import BackoffSchedule
from appkit_adapters.resilience.timing import SystemTimer, Timer
from appkit_domain.errors import Unavailable

T = TypeVar("T")

log = logging.getLogger(__name__)


class DeadlineExceeded(Unavailable):
    """The call's overall deadline passed before it could succeed."""

    code = "deadline_exceeded"


class AttemptTimedOut(Unavailable):
    """One attempt took longer than the per-attempt timeout."""

    code = "attempt_timed_out"


def is_transient(error: BaseException) -> bool:
    """Whether trying again later may succeed (the retry stage's predicate)."""
    if isinstance(error, CircuitOpen | DeadlineExceeded):
        return False
    return isinstance(error, Unavailable)


@dataclass
class PipelineCounters:
    """What the pipeline did, for tests, benchmarks and metrics."""

    calls: int = 0
    attempts: int = 0
    retries: int = 0
    rate_limited_waits: int = 0


class ResiliencePipeline:
    """Runs async operations under one :class:`ResiliencePolicy`.

    One pipeline per dependency (e.g. one workspace); its breaker state is
    shared by every call through it. ``timer`` and ``rng`` are injectable so
    timing is deterministic in tests.
    """

    def __init__(
        self,
        policy: ResiliencePolicy,
        *,
        name: str = "databricks",
        timer: Timer | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.policy = policy
        self.name = name
        self.timer: Timer = timer if timer is not None else SystemTimer()
        self._rng = rng if rng is not None else random.Random()
        self.breaker = CircuitBreaker(
            name,
            self.timer,
            failure_threshold=policy.circuit_breaker_failure_threshold,
            open_timeout=policy.circuit_breaker_timeout,
            half_open_probes=policy.circuit_breaker_half_open_probes,
            on_state_change=self._log_state_change,
        )
        self.bucket: TokenBucket | None = None
        if policy.rate_limit_requests_per_second is not None:
            self.bucket = TokenBucket(
                policy.rate_limit_requests_per_second, policy.rate_limit_burst, self.timer
            )
        self.counters = PipelineCounters()

    async def call(
        self,
        operation: Callable[[], Awaitable[T]],
        *,
        idempotent: bool,
        deadline: float | None = None,
    ) -> T:
        """Run ``operation`` (a factory: each attempt calls it anew).

        ``deadline`` (seconds) overrides the policy's overall deadline for this
        call. Raises the operation's own error when it is not transient, when
        the call is not idempotent, or when attempts run out; ``DeadlineExceeded``
        when the deadline cut an attempt or left no time to try; ``CircuitOpen``
        when the breaker refuses.
        """
        self.counters.calls += 1
        if self.bucket is not None and await self.bucket.acquire() > 0:
            self.counters.rate_limited_waits += 1
        limit = deadline if deadline is not None else self.policy.deadline
        ends_at = None if limit is None else self.timer.monotonic() + limit
        schedule = BackoffSchedule(
            self.policy.retry_initial_delay, self.policy.retry_max_delay, self._rng
        )
        attempt = 0
        while True:
            attempt += 1
            outcome = await self._attempt(operation, ends_at)
            if not isinstance(outcome, BaseException):
                return outcome
            error = outcome
            retryable = idempotent and is_transient(error)
            if not retryable or attempt >= self.policy.retry_max_attempts:
                raise error
            delay = self._delay_after(error, schedule)
            if ends_at is not None and self.timer.monotonic() + delay > ends_at:
                raise error
            self.counters.retries += 1
            log.info(
                "retrying %s call after %s (attempt %d, waiting %.3fs)",
                self.name,
                type(error).__name__,
                attempt,
                delay,
            )
            await self.timer.sleep(delay)

    async def _attempt(
        self, operation: Callable[[], Awaitable[T]], ends_at: float | None
    ) -> T | BaseException:
        """One attempt through breaker and timeout; returns the result or the error."""
        remaining = None if ends_at is None else ends_at - self.timer.monotonic()
        if remaining is not None and remaining <= 0:
            raise DeadlineExceeded(f"{self.name} call passed its deadline")
        self.breaker.admit()
        timeout = self.policy.request_timeout
        cut_by_deadline = remaining is not None and (timeout is None or remaining < timeout)
        if cut_by_deadline:
            timeout = remaining
        self.counters.attempts += 1
        try:
            result = await self.timer.within(operation(), timeout)
        except TimeoutError:
            failure: Exception = (
                DeadlineExceeded(f"{self.name} call passed its deadline")
                if cut_by_deadline
                else AttemptTimedOut(f"{self.name} call took longer than {timeout}s")
            )
            self.breaker.record_failure()
            if cut_by_deadline:
                raise failure from None
            return failure
        except Exception as exc:
            self.breaker.record(exc)
            return exc
        except BaseException:
            self.breaker.record_neutral()
            raise
        self.breaker.record_success()
        return result

    def _delay_after(self, error: BaseException, schedule: BackoffSchedule) -> float:
        retry_after = getattr(error, "retry_after", None)
        if retry_after is None and isinstance(error, Unavailable):
            retry_after = error.details.get("retry_after")
        if isinstance(retry_after, int | float) and retry_after >= 0:
            schedule.next_window()  # keep the exponential window moving
            return min(float(retry_after), self.policy.retry_after_cap)
        return schedule.next_delay()

    @property
    def circuit_state(self) -> CircuitState:
        return self.breaker.state

    def _log_state_change(self, old: CircuitState, new: CircuitState) -> None:
        level = logging.WARNING if new is CircuitState.OPEN else logging.INFO
        log.log(level, "circuit %s: %s -> %s", self.name, old.value, new.value)
