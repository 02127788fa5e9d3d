"""An async token bucket: ``rate`` tokens per second refill a bucket of ``burst`` tokens.

Waiters are served in arrival order (one lock). A waiter cancelled while it
waits takes no token, so cancellation never leaks capacity.
"""

from __future__ import annotations

import asyncio

from appkit_adapters.resilience.timing import Timer
from appkit_domain.errors import InvalidInput


class TokenBucket:
    def __init__(self, rate: float, burst: int, timer: Timer) -> None:
        if rate <= 0 or burst < 1:
            raise InvalidInput("a token bucket needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._timer = timer
        self._tokens = float(burst)
        self._stamp = timer.monotonic()
        self._lock = asyncio.Lock()

    @property
    def available(self) -> float:
        """Tokens that could be taken now."""
        self._refill()
        return self._tokens

    def try_acquire(self, tokens: float = 1.0) -> bool:
        """Take ``tokens`` now if they are there; never waits."""
        self._check(tokens)
        self._refill()
        if self._tokens >= tokens:
            self._tokens -= tokens
            return True
        return False

    def wait_time(self, tokens: float = 1.0) -> float:
        """Seconds until ``tokens`` would be available (0 when they are)."""
        self._refill()
        return max(0.0, (tokens - self._tokens) / self.rate)

    async def acquire(self, tokens: float = 1.0) -> float:
        """Wait until ``tokens`` are available and take them; returns the seconds waited."""
        self._check(tokens)
        waited = 0.0
        async with self._lock:
            while not self.try_acquire(tokens):
                delay = self.wait_time(tokens)
                await self._timer.sleep(delay)
                waited += delay
        return waited

    def _check(self, tokens: float) -> None:
        if tokens <= 0 or tokens > self.burst:
            raise InvalidInput(f"cannot take {tokens} tokens from a bucket of {self.burst}")

    def _refill(self) -> None:
        now = self._timer.monotonic()
        elapsed = now - self._stamp
        if elapsed > 0:
            self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
            self._stamp = now
