"""SELECT throughput: this toolkit's Statement Execution client vs databricks-sdk's, same emulator.

Starts the emulated workspace in a separate process (so client and server do
not share a GIL), then reads a 1,000,000-row result (BIGINT, DECIMAL(10,2))
several times with each client (after one warm-up round, interleaved) and prints the median wall time and rows/s.

* ``appkit execute()``: ``StatementExecutionWarehouse.execute`` (aiohttp,
  concurrent chunk prefetch, rows decoded to int/Decimal, all rows returned).
* ``appkit iterate()``: the same rows streamed one by one in bounded memory.
* ``sdk raw``: ``WorkspaceClient.statement_execution`` (requests), polling and
  walking chunks one by one; rows left as wire strings (the SDK does not decode).
* ``(server: results ready)``: submit until the statement succeeded and chunk 0
  arrived, then stop: the emulator's share, common to every reader.
* ``sdk + decode``: the same plus decoding with the shared codec into a list of
  row tuples, i.e. the same work product as ``appkit execute()``.

Usage: .venv/bin/python bench/bench_sql_client.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import requests

ADMIN_TOKEN = "dapi" + "0123456789abcdef" * 2
DOWNLOADS = requests.Session()  # pooled, and never given the workspace credentials


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_emulator() -> tuple[subprocess.Popen[str], str, str]:
    port = free_port()
    code = (
        "from appkit_testing.workspace.serve import serve\n"
        f"serve(port={port}, data_dir=None, admin_token={ADMIN_TOKEN!r})\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, bufsize=1
    )
    warehouse_id = ""
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("DATABRICKS_WAREHOUSE_ID="):
            warehouse_id = line.strip().split("=", 1)[1]
            break
    if not warehouse_id:
        process.kill()
        raise SystemExit("the emulator did not start")
    # keep draining its output so a full pipe never blocks the server
    threading.Thread(target=lambda: [None for _ in process.stdout or ()], daemon=True).start()
    return process, f"http://127.0.0.1:{port}", warehouse_id


def statement(rows: int) -> str:
    return (
        "SELECT id, CAST(id / 100 AS DECIMAL(10,2)) AS amount"
        f" FROM (SELECT explode(sequence(0, {rows - 1})) AS id)"
    )


class AppkitReader:
    """One event loop and one pooled session for every run, as in a served app."""

    def __init__(self, host: str, warehouse_id: str) -> None:
        from appkit_adapters.databricks.credentials import BearerToken
        from appkit_adapters.databricks.http import DatabricksHttp
        from appkit_adapters.resilience import ResiliencePolicy

        self.loop = asyncio.new_event_loop()
        # prod retries and breaker; no client-side rate limit, which the SDK does not have either
        policy = replace(ResiliencePolicy.for_profile("prod"), rate_limit_requests_per_second=None)
        self.http = DatabricksHttp(host, BearerToken(ADMIN_TOKEN), policy=policy)
        self.loop.run_until_complete(self.http.start())
        self.warehouse_id = warehouse_id

    def read(self, sql: str, disposition: str, mode: str) -> int:
        """``mode``: ``execute``, ``iterate``, or ``ready`` (stop once the results are ready)."""
        return self.loop.run_until_complete(self._read(sql, disposition, mode))

    async def _read(self, sql: str, disposition: str, mode: str) -> int:
        from appkit_adapters.databricks.statements import StatementExecutionWarehouse

        warehouse = StatementExecutionWarehouse(
            self.http,
            self.warehouse_id,
            disposition=disposition,
            deadline=600,
            wait_timeout=30,
            fetch_concurrency=4,
        )
        if mode == "ready":
            stream = await warehouse.stream(sql)
            await stream.aclose()
            return stream.total_row_count or 0
        if mode == "execute":
            return len((await warehouse.execute(sql)).rows)
        count = 0
        async for _row in warehouse.iterate(sql):
            count += 1
        return count

    def close(self) -> None:
        self.loop.run_until_complete(self.http.close())
        self.loop.close()


def sdk_client(host: str) -> Any:
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.config import Config

    return WorkspaceClient(
        config=Config(host=host, token=ADMIN_TOKEN, auth_type="pat", retry_timeout_seconds=60)
    )


def sdk_read(client: Any, warehouse_id: str, sql: str, disposition: str, decode: bool) -> int:
    from databricks.sdk.service.sql import Disposition, Format, StatementState

    from appkit_adapters.databricks.results import columns_of, row_decoder

    api = client.statement_execution
    response = api.execute_statement(
        statement=sql,
        warehouse_id=warehouse_id,
        wait_timeout="30s",
        disposition=Disposition(disposition),
        format=Format.JSON_ARRAY,
    )
    delay = 0.1
    while response.status and response.status.state in (
        StatementState.PENDING,
        StatementState.RUNNING,
    ):
        time.sleep(delay)
        delay = min(2.0, delay * 2)
        response = api.get_statement(response.statement_id)
    assert response.status and response.status.state == StatementState.SUCCEEDED, response.status
    manifest = response.manifest.as_dict() if response.manifest else {}
    convert = row_decoder(columns_of(manifest)) if decode else None
    kept: list[tuple[Any, ...]] = []  # decoded rows are returned, as execute() returns them
    count = 0
    result = response.result
    while result is not None:
        if result.external_links:
            rows = []
            for link in result.external_links:
                got = DOWNLOADS.get(link.external_link, headers=link.http_headers or {}, timeout=60)
                got.raise_for_status()
                rows.extend(got.json())
            following = result.external_links[-1].next_chunk_index
        else:
            rows = result.data_array or []
            following = result.next_chunk_index
        if convert is not None:
            kept.extend([convert(row) for row in rows])
        count += len(rows)
        if following is None:
            break
        result = api.get_statement_result_chunk_n(response.statement_id, following)
    return count


def measure(runs: dict[str, Callable[[], int]], repeat: int, expected: int) -> None:
    """Run every reader once as warm-up, then ``repeat`` interleaved rounds; print medians."""
    times: dict[str, list[float]] = {label: [] for label in runs}
    for round_number in range(repeat + 1):
        for label, run in runs.items():
            started = time.perf_counter()
            count = run()
            elapsed = time.perf_counter() - started
            if count != expected:
                raise SystemExit(f"{label}: read {count} rows, expected {expected}")
            if round_number:  # round 0 warms the emulator and the clients up
                times[label].append(elapsed)
    for label, measured in times.items():
        median = statistics.median(measured)
        print(
            f"{label:<34} median {median:7.2f} s  best {min(measured):7.2f} s"
            f"  {expected / median:>10,.0f} rows/s"
            f"  (runs: {', '.join(f'{t:.2f}' for t in measured)})",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-runs", type=int, default=200)
    args = parser.parse_args()
    for key in [k for k in os.environ if k.startswith("DATABRICKS_")]:
        del os.environ[key]
    process, host, warehouse_id = start_emulator()
    sql = statement(args.rows)
    print(f"emulated workspace at {host}; {args.rows:,} rows x (BIGINT, DECIMAL(10,2))")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs (shared with the emulator)\n")
    appkit: AppkitReader | None = None
    try:
        appkit = AppkitReader(host, warehouse_id)
        sdk = sdk_client(host)
        small = "SELECT 1 AS one"
        latency: dict[str, Callable[[], int]] = {
            "appkit execute()": lambda: appkit.read(small, "INLINE", "execute"),
            "databricks-sdk + same decoding": lambda: sdk_read(
                sdk, warehouse_id, small, "INLINE", decode=True
            ),
        }
        print(f"-- one-row statement latency ({args.latency_runs} interleaved runs after warm-up)")
        samples: dict[str, list[float]] = {label: [] for label in latency}
        for index in range(args.latency_runs + 5):
            for label, run in latency.items():
                started = time.perf_counter()
                run()
                if index >= 5:
                    samples[label].append(time.perf_counter() - started)
        for label, measured in samples.items():
            print(
                f"{label:<34} median {statistics.median(measured) * 1000:6.2f} ms"
                f"  p90 {statistics.quantiles(measured, n=10)[-1] * 1000:6.2f} ms",
                flush=True,
            )
        for disposition in ("INLINE", "EXTERNAL_LINKS"):
            print(f"-- disposition {disposition}")
            runs: dict[str, Callable[[], int]] = {
                "(server: results ready, chunk 0)": lambda d=disposition: appkit.read(
                    sql, d, "ready"
                ),
                "appkit execute() (decoded)": lambda d=disposition: appkit.read(sql, d, "execute"),
                "appkit iterate() (decoded rows)": lambda d=disposition: appkit.read(
                    sql, d, "iterate"
                ),
                "databricks-sdk (raw strings)": lambda d=disposition: sdk_read(
                    sdk, warehouse_id, sql, d, decode=False
                ),
                "databricks-sdk + same decoding": lambda d=disposition: sdk_read(
                    sdk, warehouse_id, sql, d, decode=True
                ),
            }
            measure(runs, args.repeat, args.rows)
    finally:
        if appkit is not None:
            appkit.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    main()
