"""Benchmark: a large SELECT through the emulated workspace with the official SDK.

Starts ``lakehouse-appkit workspace serve`` in a subprocess (so its memory is
measured on its own), runs ``SELECT ... FROM range(N)`` with the SDK, walks
every chunk (``get_statement_result_chunk_n``; EXTERNAL_LINKS chunks are
downloaded without the Authorization header), and prints rows/s and the peak
resident memory of the client and of the emulator process. Running several
sizes shows whether the emulator's memory grows with the result.

    .venv/bin/python bench/bench_emulator_select.py                 # 250k and 1M rows
    .venv/bin/python bench/bench_emulator_select.py --rows 1000000 --disposition INLINE
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.service.sql import Disposition, Format, StatementState

QUERY = (
    "SELECT id, concat('row-', CAST(id AS STRING)) AS label, id * 0.5 AS half "
    "FROM range({rows}) AS t(id)"
)
INLINE_QUERY = "SELECT id, id * 2 AS twice FROM range({rows}) AS t(id)"


def _kib(pid: int | str, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not found for {pid}")


def _start_emulator() -> tuple[subprocess.Popen[str], dict[str, str]]:
    cli = Path(sys.executable).with_name("lakehouse-appkit")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
    process = subprocess.Popen(
        [str(cli), "workspace", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    settings = dict(process.stdout.readline().strip().split("=", 1) for _ in range(3))
    return process, settings


def run_once(rows: int, disposition: str) -> dict[str, float]:
    process, settings = _start_emulator()
    try:
        client = WorkspaceClient(
            host=settings["DATABRICKS_HOST"], token=settings["DATABRICKS_TOKEN"], auth_type="pat"
        )
        api = client.statement_execution
        warehouse = settings["DATABRICKS_WAREHOUSE_ID"]
        api.execute_statement("SELECT 1", warehouse)  # warm up
        emulator_idle = _kib(process.pid, "VmRSS")
        client_before = _kib("self", "VmRSS")
        links = disposition == "EXTERNAL_LINKS"
        query = (QUERY if links else INLINE_QUERY).format(rows=rows)
        downloads = requests.Session()
        started = time.perf_counter()
        response = api.execute_statement(
            query,
            warehouse,
            wait_timeout="50s",
            disposition=Disposition(disposition),
            format=Format.JSON_ARRAY,
        )
        while response.status.state in (StatementState.PENDING, StatementState.RUNNING):
            time.sleep(0.05)
            response = api.get_statement(response.statement_id)
        if response.status.state != StatementState.SUCCEEDED:
            raise RuntimeError(f"statement ended {response.status}")
        ready = time.perf_counter()
        seen, checksum = 0, 0
        chunk = response.result
        while True:
            if links:
                link = chunk.external_links[0]
                data = downloads.get(link.external_link, headers=link.http_headers or {}).json()
                following = link.next_chunk_index
            else:
                data = chunk.data_array or []
                following = chunk.next_chunk_index
            seen += len(data)
            checksum += int(data[-1][0]) if data else 0
            del data
            if following is None:
                break
            chunk = api.get_statement_result_chunk_n(response.statement_id, following)
        elapsed = time.perf_counter() - started
        if seen != rows:
            raise RuntimeError(f"read {seen} rows, expected {rows}")
        return {
            "rows": rows,
            "chunks": response.manifest.total_chunk_count,
            "seconds": elapsed,
            "execute_seconds": ready - started,
            "rows_per_s": rows / elapsed,
            "client_peak_mib": _kib("self", "VmHWM") / 1024,
            "client_growth_mib": max(0, _kib("self", "VmHWM") - client_before) / 1024,
            "emulator_idle_mib": emulator_idle / 1024,
            "emulator_peak_mib": _kib(process.pid, "VmHWM") / 1024,
        }
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="rows (repeatable)")
    parser.add_argument(
        "--disposition", choices=["EXTERNAL_LINKS", "INLINE"], default="EXTERNAL_LINKS"
    )
    args = parser.parse_args()
    sizes = args.rows or [250_000, 1_000_000]
    print(
        f"SELECT through the emulated workspace, {args.disposition}, JSON_ARRAY, SDK "
        f"get_statement_result_chunk_n; emulator in its own process"
    )
    header = (
        f"{'rows':>9} {'chunks':>6} {'exec s':>7} {'total s':>8} {'rows/s':>9} "
        f"{'client peak MiB':>15} {'emu idle MiB':>12} {'emu peak MiB':>12}"
    )
    example = (QUERY if args.disposition == "EXTERNAL_LINKS" else INLINE_QUERY).format(rows="N")
    print(f"query: {example}")
    print(header)
    for rows in sizes:
        r = run_once(rows, args.disposition)
        print(
            f"{r['rows']:>9,} {r['chunks']:>6} {r['execute_seconds']:>7.2f} "
            f"{r['seconds']:>8.2f} {r['rows_per_s']:>9,.0f} {r['client_peak_mib']:>15.1f} "
            f"{r['emulator_idle_mib']:>12.1f} {r['emulator_peak_mib']:>12.1f}"
        )


if __name__ == "__main__":
    main()
