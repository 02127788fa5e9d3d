"""What governance costs per request, in-process, on the memory backend.

Run: .venv/bin/python bench/bench_governance_overhead.py [--requests N] [--repeats R]

Requests are driven straight into the ASGI apps (no network, no HTTP client),
so the figures are the apps' own cost. Two pairs, measured in one run:

1. Write: ``POST /api/overrides`` through the governed app (request id,
   dev identity, per-user rate limit, validation, policy and quorum,
   payload hash, approval store write, hash-chained audit append, override
   store write) versus a bare FastAPI route taking the same JSON body and
   doing the same override store write, nothing else.
2. Read: ``GET /api/me`` through the governed middleware versus a bare
   FastAPI route answering the same JSON.

A read is also timed with the configured directory (no simulated I/O), the
identity source dev mode uses on the local backend.

Each figure is the median over R repeats of N sequential requests; it prints
microseconds per request and the governed/bare ratio. A third line splits the
governed write: the same proposal made by calling the override service
directly (the domain's share), the rest being the web layer's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from dependency_injector import providers
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

from appkit_domain.approvals import Actor
from appkit_domain.overrides import MetricKey, MetricOverride
from appkit_testing.fakes import InMemoryOverrideStore
from appkit_testing.memory_app import memory_container
from appkit_web.app import build_services, create_app
from appkit_web.containers import demo_users
from appkit_web.identity import ConfiguredDirectory, DevIdentity
from appkit_web.settings import load_settings

BODY = {
    "entity": "ACME",
    "metric": "var_99",
    "period": "2026-Q3",
    "value": "1300000",
    "justification": "late trade booked",
}


class OverrideBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity: str
    metric: str
    period: str
    value: Decimal
    justification: str


def bare_app(store: InMemoryOverrideStore) -> FastAPI:
    app = FastAPI()
    counter = {"n": 0}

    @app.post("/bare/overrides", status_code=201)
    async def write(body: OverrideBody) -> dict[str, Any]:
        counter["n"] += 1
        now = datetime.now(timezone.utc)
        override = MetricOverride(
            id=f"ovr-{counter['n']}",
            key=MetricKey(body.entity, body.metric, body.period),
            value=body.value,
            computed_value=None,
            justification=body.justification,
            effective_from=now,
            effective_to=None,
            proposed_by="anonymous",
            approval_id="none",
            created_at=now,
        )
        await store.add(override)
        return {"id": override.id}

    @app.get("/bare/me")
    async def me() -> dict[str, Any]:
        return {"id": "alice", "email": "alice@example.com", "groups": ["data-stewards"]}

    return app


async def call(app: Any, method: str, path: str, body: bytes, headers: list) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    status = 0

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def per_request_us(
    app: Any, method: str, path: str, body: bytes, headers: list, n: int, expect: int
) -> float:
    started = time.perf_counter()
    for _ in range(n):
        status = await call(app, method, path, body, headers)
        if status != expect:
            raise SystemExit(f"{method} {path} answered {status}, expected {expect}")
    return (time.perf_counter() - started) / n * 1e6


async def main(requests: int, repeats: int) -> None:
    settings = load_settings(
        {
            "APP_ENV": "test",
            "APPKIT_BACKEND": "memory",
            "APPKIT_IDENTITY": "dev",
            "APPKIT_USER_RATE_LIMIT_PER_SECOND": "10000000",
            "APPKIT_USER_RATE_LIMIT_BURST": "10000000",
            "APPKIT_LOG_LEVEL": "WARNING",
        },
        env_file_dir=Path(mkdtemp()),
    )
    container = memory_container(settings)
    build_services(container)
    governed = create_app(container)
    bare = bare_app(InMemoryOverrideStore())

    body = json.dumps(BODY).encode()
    json_headers = [(b"content-type", b"application/json"), (b"host", b"bench")]
    signed = [*json_headers, (b"x-forwarded-email", b"alice@example.com")]

    pairs = [
        (
            "write",
            ("POST", "/api/overrides", body, signed, 201),
            ("POST", "/bare/overrides", body, json_headers, 201),
        ),
        ("read", ("GET", "/api/me", b"", signed, 200), ("GET", "/bare/me", b"", json_headers, 200)),
    ]
    # warm up both apps (route compilation, first-call caches)
    for _, g, b in pairs:
        await per_request_us(governed, *g[:4], 200, g[4])
        await per_request_us(bare, *b[:4], 200, b[4])

    print(f"requests per repeat: {requests}, repeats: {repeats} (median reported)")
    print(f"{'path':<8}{'governed us/req':>18}{'bare us/req':>14}{'ratio':>8}{'overhead us':>14}")
    for name, g, b in pairs:
        governed_runs, bare_runs = [], []
        for _ in range(repeats):
            governed_runs.append(await per_request_us(governed, *g[:4], requests, g[4]))
            bare_runs.append(await per_request_us(bare, *b[:4], requests, b[4]))
        gov, bar = statistics.median(governed_runs), statistics.median(bare_runs)
        print(f"{name:<8}{gov:>18.1f}{bar:>14.1f}{gov / bar:>8.2f}{gov - bar:>14.1f}")
    # The memory directory yields to the event loop on every lookup (it imitates I/O);
    # the configured directory of dev mode on the local backend does not.
    container.identity.override(
        providers.Object(DevIdentity(ConfiguredDirectory(demo_users(settings))))
    )
    g = ("GET", "/api/me", b"", signed, 200)
    configured = statistics.median(
        [await per_request_us(governed, *g[:4], requests, g[4]) for _ in range(repeats)]
    )
    print(f"read with the configured (non-yielding) directory: {configured:.1f} us/req")
    container.identity.reset_override()

    service = container.overrides()
    actor = Actor.of(await container.backend.directory().find("alice@example.com"))
    domain_runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(requests):
            await service.propose(
                actor,
                entity=BODY["entity"],
                metric=BODY["metric"],
                period=BODY["period"],
                value=BODY["value"],
                justification=BODY["justification"],
            )
        domain_runs.append((time.perf_counter() - started) / requests * 1e6)
    domain = statistics.median(domain_runs)
    print(f"domain share of the governed write (service called directly): {domain:.1f} us/req")
    events = len(container.backend.audit_store().rows)
    print(f"audit events written by the governed writes: {events}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.repeats))
