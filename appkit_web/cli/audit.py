"""``lakehouse-appkit audit``: verify the tamper-evident audit log and save checkpoints.

The log is read where the configured backend keeps it, in ``--catalog`` /
``--schema`` when given. The local engine admits one process at a time
(DuckDB's file lock): while ``run`` serves it, the app owns it, so the
command asks the running app instead, through its own ``/api/audit/verify``
as an auditor of the dev directory (``--as`` chooses which). ``run`` leaves
the app's address in ``APPKIT_DATA_DIR/serving.json``; ``--app URL`` names
it explicitly.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from pathlib import Path
from typing import Any

import typer

from appkit_domain.audit import AuditLog, Checkpoint, VerifyReport
from appkit_domain.errors import InvalidInput, Unavailable
from appkit_web.cli.app import app
from appkit_web.cli.audit_via_app import AppAudit, find_running_app
from appkit_web.cli.output import ExitCode, fail, note, print_json, reported

audit_app = typer.Typer(
    help="The tamper-evident audit log: verify every stream, save checkpoints.\n\n"
    "Example: lakehouse-appkit audit verify --checkpoints heads.json",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")


async def maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


CatalogOption = typer.Option(
    None, "--catalog", help="Catalog of the governance tables (default: DATABRICKS_CATALOG)."
)
SchemaOption = typer.Option(
    None, "--schema", help="Schema of the governance tables (default: DATABRICKS_SCHEMA)."
)
AppOption = typer.Option(
    None,
    "--app",
    help="Ask this running app (its URL) instead of opening the store; found by itself "
    "when the local engine is in use by `run`.",
)
AsOption = typer.Option(
    None, "--as", help="With --app: the dev-identity auditor to ask as (default: the first one)."
)


def _settings(catalog: str | None, schema: str | None) -> Any:
    from appkit_web.settings import SettingsError, load_settings

    overrides: dict[str, Any] = {"DATABRICKS_CATALOG": catalog, "DATABRICKS_SCHEMA": schema}
    try:
        return load_settings(None, **{k: v for k, v in overrides.items() if v})
    except SettingsError as exc:
        fail(f"audit: {exc}", ExitCode.USAGE)


async def _with_audit_log(action: Any, settings: Any = None) -> Any:
    """Open the configured backend's resources, run ``action(audit_log)``, close them."""
    from appkit_web.backends import container_for
    from appkit_web.settings import load_settings

    container = container_for(settings or load_settings())
    await maybe_await(container.init_resources())
    try:
        log: AuditLog = await maybe_await(container.audit_log())
        return await action(log)
    finally:
        await maybe_await(container.shutdown_resources())


def _running_app(settings: Any, url: str | None, auditor: str | None) -> AppAudit | None:
    """The running app to ask: ``--app``, else the one serving this local data directory."""
    if url is None:
        if settings.effective_backend.value != "local":
            return None
        url = find_running_app(settings.data_dir)
        if url is None:
            return None
    return AppAudit.for_settings(url, settings, auditor)


def _engine_in_use(exc: Unavailable) -> bool:
    return "lock" in str(exc).lower()


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
    catalog: str | None = CatalogOption,
    schema: str | None = SchemaOption,
    app_url: str | None = AppOption,
    auditor: str | None = AsOption,
) -> None:
    """Verify every audit stream of the configured backend; exit 0 when intact, 1 when broken.

    Recomputes every event's SHA-256 hash and link. With --checkpoints, heads
    saved earlier (outside the store) must still be reached and match. Works
    beside a running local app (it asks the app).

    Example: lakehouse-appkit audit verify

    Example: APPKIT_BACKEND=local lakehouse-appkit audit verify --checkpoints heads.json --json

    Example: lakehouse-appkit audit verify --catalog main --schema governance
    """
    settings = _settings(catalog, schema)
    with reported("audit verify"):
        saved = read_checkpoints(checkpoints) if checkpoints else []
        report = _verify_report(settings, saved, app_url, auditor, checkpoints is not None)
    if as_json:
        print_json(report)
    else:
        for s in report["streams"]:
            state = "ok" if s["ok"] else "BROKEN"
            typer.echo(f"{state:6} {s['stream']}: {s['events']} events, head {s['head_seq']}")
        if not report["streams"]:
            typer.echo("no audit streams yet")
    broken = report["first_broken"]
    if broken is not None:
        fail(
            f"audit log broken in stream {broken['stream']!r} at sequence {broken['seq']}"
            f" (event {broken['event_id'] or 'missing'}): {broken['reason']}",
            ExitCode.FAILURE,
        )


def _read(
    settings: Any,
    url: str | None,
    auditor: str | None,
    direct: Any,
    via_app: Any,
) -> Any:
    """``direct()`` on the store, or ``via_app(app)`` on the running app that holds it."""
    running = _running_app(settings, url, auditor) if url is not None else None
    if running is None:
        try:
            return direct()
        except Unavailable as exc:
            running = _running_app(settings, None, auditor) if _engine_in_use(exc) else None
            if running is None:
                raise
    note(f"asking the running app at {running.url} (as {running.auditor})")
    return via_app(running)


def _verify_report(
    settings: Any, saved: list[Checkpoint], url: str | None, auditor: str | None, strict: bool
) -> dict[str, Any]:
    async def run(log: AuditLog) -> VerifyReport:
        return await log.verify(saved)

    def via_app(running: AppAudit) -> dict[str, Any]:
        if strict:
            raise InvalidInput(
                "--checkpoints needs the store itself: stop the app, or verify without them"
            )
        return running.verify()

    return _read(  # type: ignore[no-any-return]
        settings,
        url,
        auditor,
        lambda: report_json(asyncio.run(_with_audit_log(run, settings))),
        via_app,
    )


@audit_app.command("checkpoint")
def checkpoint(
    out: Path | None = typer.Option(
        None, "--out", help="Write the checkpoints to this file instead of standard output."
    ),
    catalog: str | None = CatalogOption,
    schema: str | None = SchemaOption,
    app_url: str | None = AppOption,
    auditor: str | None = AsOption,
) -> None:
    """Print the head of every audit stream as JSON, to keep outside the store.

    A later `audit verify --checkpoints FILE` detects any event removed or
    rewritten at or below these heads.

    Example: lakehouse-appkit audit checkpoint --out heads.json
    """
    settings = _settings(catalog, schema)
    with reported("audit checkpoint"):

        async def run(log: AuditLog) -> list[Checkpoint]:
            return await log.checkpoints()

        def direct() -> list[dict[str, Any]]:
            heads: list[Checkpoint] = asyncio.run(_with_audit_log(run, settings))
            return [{"stream": c.stream, "seq": c.seq, "hash": c.hash} for c in heads]

        payload = _read(settings, app_url, auditor, direct, lambda running: running.checkpoints())
    if out is None:
        print_json(payload)
    else:
        out.write_text(json.dumps(payload, indent=2) + "\n")
        typer.echo(f"saved {len(payload)} checkpoint(s) to {out}")
