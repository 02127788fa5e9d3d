"""Per-principal rate limit: a token bucket per caller, 429 problem+json when empty.

Signed-in callers are keyed by principal id, others by client address. Runs
after identity resolution. At most :data:`MAX_BUCKETS` buckets are kept: when
the limit is reached, buckets idle long enough to be full again are dropped,
then the least recently used, down to nine tenths of the limit (so the sweep
runs once per many new callers). A caller whose bucket was dropped starts
again with a full burst.
"""

from __future__ import annotations

from itertools import islice

from starlette.types import ASGIApp, Receive, Scope, Send

from appkit_adapters.resilience.rate_limit import TokenBucket
from appkit_adapters.resilience.timing import Timer
from appkit_domain.errors import RateLimited
from appkit_web.middleware.asgi import send_error
from appkit_web.request_context import RequestContext

EXEMPT_PATHS = frozenset({"/api/health"})
"""Liveness does no I/O. Readiness is limited like any route: each call runs a warehouse
statement, so an unlimited caller could keep a warehouse busy (and billed)."""
MAX_BUCKETS = 10_000
_KEEP_AFTER_SWEEP = MAX_BUCKETS - MAX_BUCKETS // 10


class PerPrincipalRateLimit:
    def __init__(self, app: ASGIApp, rate: float, burst: int, timer: Timer) -> None:
        self.app = app
        self.rate = rate
        self.burst = burst
        self.timer = timer
        self._buckets: dict[str, TokenBucket] = {}

    def _key(self, scope: Scope) -> str:
        context: RequestContext | None = scope.get("state", {}).get("appkit")
        if context is not None and context.principal is not None:
            return "p:" + context.principal.id
        client = scope.get("client")
        return "c:" + (str(client[0]) if client else "unknown")

    def _bucket(self, key: str) -> TokenBucket:
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            if len(self._buckets) >= MAX_BUCKETS:
                self._sweep()
            bucket = TokenBucket(self.rate, self.burst, self.timer)
        self._buckets[key] = bucket  # most recently used last
        return bucket

    def _sweep(self) -> None:
        self._buckets = {k: b for k, b in self._buckets.items() if b.available < self.burst}
        excess = len(self._buckets) - _KEEP_AFTER_SWEEP
        for key in list(islice(self._buckets, max(0, excess))):
            del self._buckets[key]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        bucket = self._bucket(self._key(scope))
        if not bucket.try_acquire():
            await send_error(
                send,
                RateLimited(
                    "too many requests from this caller; slow down",
                    retry_after=bucket.wait_time(),
                ),
            )
            return
        await self.app(scope, receive, send)
