"""Serve the emulated workspace in the foreground (``lakehouse-appkit workspace serve``)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from appkit_testing.workspace.config import load_principals
from appkit_testing.workspace.control.faults import FaultPlan
from appkit_testing.workspace.server import build_app
from appkit_testing.workspace.state import Workspace


def fault_plan(latency_ms: int, fault_rate: float, seed: int | None) -> FaultPlan:
    """``fault_rate`` is split evenly between 429 (with Retry-After) and 503 answers."""
    rates = {"http_429": fault_rate / 2, "http_503": fault_rate / 2} if fault_rate else {}
    return FaultPlan(rates=rates, latency_ms=latency_ms, seed=seed)


def export_lines(workspace: Workspace, port: int) -> list[str]:
    """The lines a shell can ``export`` to point clients at the emulator."""
    return [
        f"DATABRICKS_HOST=http://127.0.0.1:{port}",
        f"DATABRICKS_TOKEN={workspace.admin_token}",
        f"DATABRICKS_WAREHOUSE_ID={workspace.warehouse_id}",
    ]


def serve(
    *,
    port: int,
    data_dir: Path | None,
    latency_ms: int = 0,
    fault_rate: float = 0.0,
    seed: int | None = None,
    principals_file: Path | None = None,
    admin_token: str | None = None,
    bind: str = "127.0.0.1",
    echo: Callable[[str], None] = print,
) -> None:
    """Run until interrupted (Ctrl-C or SIGTERM), printing the export lines once listening."""
    if not 0.0 <= fault_rate <= 1.0:
        raise ValueError("fault rate must be between 0 and 1")
    principals = load_principals(principals_file) if principals_file else []
    workspace = Workspace(
        data_dir=data_dir,
        principals=principals,
        admin_token=admin_token,
        faults=fault_plan(latency_ms, fault_rate, seed),
    )
    try:
        asyncio.run(_serve(workspace, bind, port, echo))
    finally:
        workspace.close()


async def _serve(workspace: Workspace, bind: str, port: int, echo: Callable[[str], None]) -> None:
    runner = web.AppRunner(build_app(workspace), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, bind, port)
    await site.start()
    bound = int(runner.addresses[0][1])
    for line in export_lines(workspace, bound):
        echo(line)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
