"""Audit log throughput on the in-memory store: append and verify, events per second.

Run: .venv/bin/python bench/bench_audit.py [--events N]
Appends go through AuditLog (redaction, canonical encoding, SHA-256 chaining,
group commit) in concurrent waves; verify recomputes every hash.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from appkit_domain.audit import AuditLog
from appkit_testing.fakes import ControllableClock, InMemoryAuditStore, SequentialIds


async def run(events: int, concurrency: int) -> None:
    store = InMemoryAuditStore()
    log = AuditLog(store, ControllableClock(), SequentialIds(), stream="bench-1")
    details = {"entity": "ACC-001", "metric": "var_99", "value": "1234.56", "comment": "monthly"}

    started = time.perf_counter()
    done = 0
    while done < events:
        wave = min(concurrency, events - done)
        await asyncio.gather(
            *(
                log.append(
                    actor="alice",
                    action="override.propose",
                    target=f"ovr:{done + i}",
                    details=details,
                )
                for i in range(wave)
            )
        )
        done += wave
    append_s = time.perf_counter() - started

    started = time.perf_counter()
    report = await log.verify([await log.checkpoint()])  # type: ignore[list-item]
    verify_s = time.perf_counter() - started
    assert report.ok and report.streams[0].events == events

    print(f"events:            {events:,}")
    print(f"concurrency:       {concurrency}")
    print(f"store writes:      {store.append_calls:,} (group commit)")
    print(f"append:            {append_s:.2f} s  {events / append_s:,.0f} events/s")
    print(f"verify:            {verify_s:.2f} s  {events / verify_s:,.0f} events/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(run(args.events, args.concurrency))


if __name__ == "__main__":
    main()
