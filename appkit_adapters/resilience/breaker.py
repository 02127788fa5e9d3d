"""A circuit breaker: closed -> open after consecutive failures -> half-open probes -> closed.

Only dependency failures count (``Unavailable`` other than ``RateLimited``,
timeouts, connection errors); business answers such as ``NotFound`` or
``PermissionDenied`` prove the dependency is alive and count as successes.
The state is observable (:meth:`CircuitBreaker.snapshot`) so readiness checks
can report an open breaker.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from appkit_adapters.resilience.timing import Timer
from appkit_domain.errors import RateLimited, Unavailable


class CircuitState(str, enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpen(Unavailable):
    """The breaker refused the call without trying; ``retry_after`` says when it may probe."""

    code = "circuit_open"

    def __init__(self, name: str, retry_after: float) -> None:
        super().__init__(
            f"{name} is failing; calls are paused for {retry_after:.1f}s",
            details={"breaker": name, "retry_after": round(retry_after, 3)},
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class BreakerSnapshot:
    name: str
    state: CircuitState
    consecutive_failures: int
    opened_at: float | None
    retry_after: float | None


def counts_as_failure(error: BaseException) -> bool:
    """Whether an error says the dependency is unhealthy (not merely busy or refusing)."""
    if isinstance(error, CircuitOpen | RateLimited):
        return False
    return isinstance(error, Unavailable | TimeoutError | ConnectionError)


class CircuitBreaker:
    """Consecutive-failure breaker with a bounded number of half-open probes.

    Use :meth:`admit` before a call (raises :class:`CircuitOpen` when refused)
    and then exactly one of :meth:`record_success` / :meth:`record_failure`,
    or :meth:`record_neutral` for an outcome that says nothing about health.
    """

    def __init__(
        self,
        name: str,
        timer: Timer,
        *,
        failure_threshold: int = 5,
        open_timeout: float = 30.0,
        half_open_probes: int = 1,
        on_state_change: Callable[[CircuitState, CircuitState], None] | None = None,
    ) -> None:
        self.name = name
        self._timer = timer
        self._threshold = failure_threshold
        self._open_timeout = open_timeout
        self._probe_limit = half_open_probes
        self._on_state_change = on_state_change
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at: float | None = None
        self._probes_in_flight = 0

    @property
    def state(self) -> CircuitState:
        """The current state; an open breaker whose timeout passed reads as half-open."""
        if self._state is CircuitState.OPEN and self._remaining_open() <= 0:
            self._transition(CircuitState.HALF_OPEN)
        return self._state

    def snapshot(self) -> BreakerSnapshot:
        state = self.state
        retry_after = self._remaining_open() if state is CircuitState.OPEN else None
        return BreakerSnapshot(self.name, state, self._failures, self._opened_at, retry_after)

    def admit(self) -> None:
        state = self.state
        if state is CircuitState.CLOSED:
            return
        if state is CircuitState.OPEN:
            raise CircuitOpen(self.name, self._remaining_open())
        if self._probes_in_flight >= self._probe_limit:
            raise CircuitOpen(self.name, 0.0)
        self._probes_in_flight += 1

    def record_success(self) -> None:
        self._release_probe()
        self._failures = 0
        if self._state is not CircuitState.CLOSED:
            self._opened_at = None
            self._transition(CircuitState.CLOSED)

    def record_failure(self) -> None:
        self._release_probe()
        self._failures += 1
        if self._state is CircuitState.HALF_OPEN or (
            self._state is CircuitState.CLOSED and self._failures >= self._threshold
        ):
            self._opened_at = self._timer.monotonic()
            self._transition(CircuitState.OPEN)

    def record_neutral(self) -> None:
        self._release_probe()

    def record(self, error: BaseException | None) -> None:
        """Record an outcome: ``None`` for success, else classify the error."""
        if error is None:
            self.record_success()
        elif counts_as_failure(error):
            self.record_failure()
        elif isinstance(error, RateLimited | CircuitOpen) or not isinstance(error, Exception):
            self.record_neutral()
        else:
            self.record_success()

    def _release_probe(self) -> None:
        if self._state is CircuitState.HALF_OPEN and self._probes_in_flight > 0:
            self._probes_in_flight -= 1

    def _remaining_open(self) -> float:
        if self._opened_at is None:
            return 0.0
        return max(0.0, self._opened_at + self._open_timeout - self._timer.monotonic())

    def _transition(self, new: CircuitState) -> None:
        old = self._state
        if old is new:
            return
        self._state = new
        if new is not CircuitState.HALF_OPEN:
            self._probes_in_flight = 0
        if self._on_state_change is not None:
            self._on_state_change(old, new)
