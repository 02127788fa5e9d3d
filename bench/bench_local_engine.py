"""Local engine throughput: a large SELECT through ``stream`` and parameterised INSERTs.

Run: .venv/bin/python bench/bench_local_engine.py [--rows N] [--inserts N] [--batch N]
Figures:
- streamed SELECT of N rows (BIGINT, DECIMAL(12,2), STRING, TIMESTAMP, DATE) in
  batches: rows/s and process RSS growth while streaming (``--tracemalloc`` adds the
  Python heap peak; tracing slows the run several times);
- single-row parameterised INSERTs, each its own statement (parse cache warm):
  statements/s, sequential and from 4 threads;
- the same SELECT through ``execute`` for comparison (whole result in memory).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import threading
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appkit_adapters.local import LocalEngine


def _rss_mib() -> float:
    """Current resident set size in MiB (Linux /proc), falling back to the peak."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _stream_once(engine: LocalEngine, statement: str, batch: int) -> tuple[int, float, float]:
    """Stream the whole result; return (rows, seconds, RSS growth in MiB)."""
    rss_before = rss_peak = _rss_mib()
    started = time.perf_counter()
    seen = 0
    with engine.stream(statement, batch_rows=batch) as stream:
        for chunk in stream:
            seen += len(chunk)
            rss_peak = max(rss_peak, _rss_mib())
    return seen, time.perf_counter() - started, rss_peak - rss_before


def bench_stream(engine: LocalEngine, rows: int, batch: int, trace: bool) -> None:
    engine.execute(
        "CREATE OR REPLACE TABLE main.default.big AS SELECT id,"
        " CAST((id % 100000) / 100 AS DECIMAL(12,2)) AS amount, concat('row-', CAST(id AS STRING)) AS label,"
        " timestampadd(SECOND, id % 86400, TIMESTAMP'2024-01-01 00:00:00') AS at,"
        " DATE'2024-01-01' AS d FROM range(:n) AS r(id)",
        {"n": rows},
    )
    for label, columns in (
        ("all 5 columns", "id, amount, label, at, d"),
        ("no TIMESTAMP", "id, amount, label, d"),
    ):
        statement = f"SELECT {columns} FROM main.default.big"
        seen, elapsed, rss = _stream_once(engine, statement, batch)
        print(
            f"stream   {seen:>9,} rows in {elapsed:6.2f} s = {seen / elapsed:>10,.0f} rows/s"
            f" ({label}, batch {batch:,}); RSS growth {rss:6.1f} MiB"
        )
    statement = "SELECT id, amount, label, at, d FROM main.default.big"
    if trace:
        tracemalloc.start()
        _stream_once(engine, statement, batch)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"stream   Python heap peak {peak / 2**20:7.1f} MiB (tracemalloc)")
    rss_before = _rss_mib()
    started = time.perf_counter()
    result = engine.execute(statement)
    elapsed = time.perf_counter() - started
    print(
        f"execute  {len(result.rows):>9,} rows in {elapsed:6.2f} s ="
        f" {len(result.rows) / elapsed:>10,.0f} rows/s (whole result held);"
        f" RSS growth {_rss_mib() - rss_before:6.1f} MiB"
    )
    del result


def bench_inserts(engine: LocalEngine, inserts: int) -> None:
    engine.execute(
        "CREATE OR REPLACE TABLE main.default.events (id BIGINT, actor STRING, amount DECIMAL(12,2),"
        " at TIMESTAMP, day DATE) USING DELTA"
    )
    statement = "INSERT INTO main.default.events VALUES (:id, :actor, :amount, :at, :day)"
    at = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)

    def params(i: int) -> dict[str, object]:
        return {
            "id": i,
            "actor": f"user-{i % 50}@example.com",
            "amount": Decimal(i % 10_000) / 100,
            "at": at,
            "day": at.date(),
        }

    started = time.perf_counter()
    for i in range(inserts):
        engine.execute(statement, params(i))
    elapsed = time.perf_counter() - started
    print(
        f"insert   {inserts:>9,} single-row statements in {elapsed:6.2f} s ="
        f" {inserts / elapsed:>8,.0f} statements/s (sequential)"
    )

    threads = 4
    per_thread = inserts // threads

    def worker(offset: int) -> None:
        for i in range(per_thread):
            engine.execute(statement, params(offset + i))

    started = time.perf_counter()
    pool = [
        threading.Thread(target=worker, args=(inserts + t * per_thread,)) for t in range(threads)
    ]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    total = per_thread * threads
    print(
        f"insert   {total:>9,} single-row statements in {elapsed:6.2f} s ="
        f" {total / elapsed:>8,.0f} statements/s ({threads} threads, one writer lock)"
    )
    count = engine.execute("SELECT count(*) FROM main.default.events").scalar()
    assert count == inserts + total, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--inserts", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--data-dir", default=None, help="persist under this directory")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also measure the Python heap peak (slow)"
    )
    args = parser.parse_args()
    with LocalEngine(args.data_dir) as engine:
        bench_stream(engine, args.rows, args.batch, args.tracemalloc)
        bench_inserts(engine, args.inserts)


if __name__ == "__main__":
    main()
