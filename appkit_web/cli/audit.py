"""``lakehouse-appkit audit``: verify the tamper-evident audit log and save checkpoints."""

from __future__ import annotations

import asyncio
import inspect
import json
from pathlib import Path
from typing import Any

import typer

from appkit_domain.audit import AuditLog, Checkpoint, VerifyReport
from appkit_domain.errors import InvalidInput
from appkit_web.cli.app import app
from appkit_web.cli.output import ExitCode, fail, print_json, reported

audit_app = typer.Typer(
    help="The tamper-evident audit log: verify every stream, save checkpoints.\n\n"
    "Example: lakehouse-appkit audit verify --checkpoints heads.json",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")


async def maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def _with_audit_log(action: Any) -> Any:
    """Open the configured backend's resources, run ``action(audit_log)``, close them."""
    from appkit_web.backends import container_for
    from appkit_web.settings import load_settings

    container = container_for(load_settings())
    await maybe_await(container.init_resources())
    try:
        log: AuditLog = await maybe_await(container.audit_log())
        return await action(log)
    finally:
        await maybe_await(container.shutdown_resources())


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """Checkpoints saved by ``audit checkpoint``: a JSON list of ``{stream, seq, hash}``."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read checkpoints from {path}: {exc}") from exc
    if not isinstance(raw, list):
        raise InvalidInput(f"{path}: expected a JSON list of checkpoints")
    out = []
    for i, item in enumerate(raw):
        try:
            out.append(Checkpoint(str(item["stream"]), int(item["seq"]), str(item["hash"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(f"{path}: checkpoint {i} needs stream, seq and hash") from exc
    return out


def report_json(report: VerifyReport) -> dict[str, Any]:
    broken = report.first_broken
    return {
        "ok": report.ok,
        "streams": [
            {
                "stream": s.stream,
                "events": s.events,
                "head_seq": s.head_seq,
                "head_hash": s.head_hash,
                "ok": s.ok,
            }
            for s in report.streams
        ],
        "first_broken": None
        if broken is None
        else {
            "stream": broken.stream,
            "seq": broken.seq,
            "event_id": broken.event_id,
            "reason": broken.reason,
        },
    }


@audit_app.command("verify")
def verify(
    checkpoints: Path | None = typer.Option(
        None,
        "--checkpoints",
        help="JSON file written by `audit checkpoint`: also detects a truncated or rewritten tail.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Verify every audit stream of the configured backend; exit 0 when intact, 1 when broken.

    Recomputes every event's SHA-256 hash and link. With --checkpoints, heads
    saved earlier (outside the store) must still be reached and match.

    Example: lakehouse-appkit audit verify

    Example: APPKIT_BACKEND=local lakehouse-appkit audit verify --checkpoints heads.json --json
    """
    with reported("audit verify"):
        saved = read_checkpoints(checkpoints) if checkpoints else []

        async def run(log: AuditLog) -> VerifyReport:
            return await log.verify(saved)

        report: VerifyReport = asyncio.run(_with_audit_log(run))
    if as_json:
        print_json(report_json(report))
    else:
        for s in report.streams:
            state = "ok" if s.ok else "BROKEN"
            typer.echo(f"{state:6} {s.stream}: {s.events} events, head {s.head_seq}")
        if not report.streams:
            typer.echo("no audit streams yet")
    broken = report.first_broken
    if broken is not None:
        fail(
            f"audit log broken in stream {broken.stream!r} at sequence {broken.seq}"
            f" (event {broken.event_id or 'missing'}): {broken.reason}",
            ExitCode.FAILURE,
        )


@audit_app.command("checkpoint")
def checkpoint(
    out: Path | None = typer.Option(
        None, "--out", help="Write the checkpoints to this file instead of standard output."
    ),
) -> None:
    """Print the head of every audit stream as JSON, to keep outside the store.

    A later `audit verify --checkpoints FILE` detects any event removed or
    rewritten at or below these heads.

    Example: lakehouse-appkit audit checkpoint --out heads.json
    """
    with reported("audit checkpoint"):

        async def run(log: AuditLog) -> list[Checkpoint]:
            return await log.checkpoints()

        heads: list[Checkpoint] = asyncio.run(_with_audit_log(run))
    payload = [{"stream": c.stream, "seq": c.seq, "hash": c.hash} for c in heads]
    if out is None:
        print_json(payload)
    else:
        out.write_text(json.dumps(payload, indent=2) + "\n")
        typer.echo(f"saved {len(payload)} checkpoint(s) to {out}")
