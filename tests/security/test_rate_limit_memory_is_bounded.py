"""The rate limiter keeps at most ``MAX_BUCKETS`` buckets, even when every caller is
mid-burst (e.g. a client cycling through source addresses without identity)."""

from __future__ import annotations

from appkit_adapters.resilience.timing import VirtualTime
from appkit_web.middleware.rate_limit import MAX_BUCKETS, PerPrincipalRateLimit
from appkit_web.request_context import RequestContext


async def test_buckets_stay_bounded_when_every_caller_is_mid_burst():
    async def app(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    limiter = PerPrincipalRateLimit(app, rate=0.001, burst=5, timer=VirtualTime())

    async def send(_message) -> None:
        return None

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    for n in range(MAX_BUCKETS + 500):
        scope = {
            "type": "http",
            "path": "/api/approvals",
            "client": (f"2001:db8::{n:x}", 1),
            "state": {"appkit": RequestContext(request_id=f"r{n}")},
        }
        await limiter(scope, receive, send)
    assert len(limiter._buckets) <= MAX_BUCKETS


async def test_a_busy_caller_keeps_its_bucket_through_a_sweep():
    timer = VirtualTime()
    limiter = PerPrincipalRateLimit(None, rate=0.001, burst=3, timer=timer)  # type: ignore[arg-type]
    busy = limiter._bucket("p:busy")
    assert busy.try_acquire()
    for n in range(MAX_BUCKETS + 10):
        limiter._bucket(f"c:{n}").try_acquire()
        if n % 100 == 0:
            assert limiter._bucket("p:busy") is busy  # recently used: never the one dropped
    assert len(limiter._buckets) <= MAX_BUCKETS
