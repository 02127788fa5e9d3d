"""``lakehouse-appkit delta``: a Delta table's history, detail, OPTIMIZE, VACUUM and RESTORE.

Each command is one SQL statement on a warehouse, run as you (your token),
so the workspace applies your privileges (history needs SELECT, the others
MODIFY). Table names are checked and backtick-quoted; values never enter the
text. In an app, RESTORE and VACUUM go through maker-checker when its policy
says so: use the app's ``/api/delta`` routes for that.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from typing import Any

import typer

from appkit_domain.errors import InvalidInput
from appkit_domain.identifiers import TableName, quote
from appkit_web.cli.app import app
from appkit_web.cli.connection import warehouse_id_from_settings
from appkit_web.cli.output import (
    JSON_OPTION_HELP,
    ExitCode,
    emit,
    emit_record,
    fail,
    note,
)
from appkit_web.cli.statements import run_statement

delta_app = typer.Typer(
    help="Delta tables: history, detail, optimize, vacuum, restore.\n\n"
    "Example: lakehouse-appkit delta history main.default.my_table --limit 10",
    no_args_is_help=True,
)
app.add_typer(delta_app, name="delta")

JsonOption = typer.Option(False, "--json", help=JSON_OPTION_HELP)
WarehouseOption = typer.Option(
    None, "--warehouse-id", "-w", help="SQL warehouse id (default: DATABRICKS_WAREHOUSE_ID)."
)
TableArgument = typer.Argument(..., help="The table as catalog.schema.table.")


def _table(command: str, text: str) -> TableName:
    try:
        return TableName.parse(text.lower())
    except InvalidInput as error:
        fail(f"delta {command}: {error.message}", ExitCode.USAGE)


def _warehouse(command: str, option: str | None) -> str:
    warehouse = warehouse_id_from_settings(option)
    if not warehouse:
        fail(
            f"delta {command}: no SQL warehouse: pass --warehouse-id or set "
            "DATABRICKS_WAREHOUSE_ID",
            ExitCode.USAGE,
        )
    return warehouse


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    """Maps and structs arrive as JSON text: show them as JSON values."""
    out = {}
    for key, value in row.items():
        if isinstance(value, str) and value[:1] in "{[":
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        out[key] = value
    return out


@delta_app.command("history")
def history(
    table: str = TableArgument,
    limit: int | None = typer.Option(None, "--limit", "-n", min=1, max=1000, help="Newest N."),
    warehouse_id: str | None = WarehouseOption,
    as_json: bool = JsonOption,
) -> None:
    """Show the table's versions, newest first (DESCRIBE HISTORY).

    Example: lakehouse-appkit delta history main.default.my_table --limit 10
    """
    name = _table("history", table)
    tail = f" LIMIT {int(limit)}" if limit else ""
    rows, _, _ = run_statement(
        f"DESCRIBE HISTORY {name.quoted}{tail}", _warehouse("history", warehouse_id)
    )
    shown = [_decoded(row) for row in rows]
    emit(
        shown,
        ["version", "timestamp", "userName", "operation"],
        as_json=as_json,
        empty="no versions",
    )


@delta_app.command("detail")
def detail(
    table: str = TableArgument,
    warehouse_id: str | None = WarehouseOption,
    as_json: bool = JsonOption,
) -> None:
    """Show format, id, location, files, size and properties (DESCRIBE DETAIL).

    Example: lakehouse-appkit delta detail main.default.my_table --json
    """
    name = _table("detail", table)
    rows, _, _ = run_statement(f"DESCRIBE DETAIL {name.quoted}", _warehouse("detail", warehouse_id))
    emit_record(_decoded(rows[0]) if rows else {}, as_json=as_json, title=name.full_name)


@delta_app.command("optimize")
def optimize(
    table: str = TableArgument,
    zorder_by: str | None = typer.Option(
        None, "--zorder-by", help="Comma-separated columns to co-locate (ZORDER BY)."
    ),
    warehouse_id: str | None = WarehouseOption,
    as_json: bool = JsonOption,
) -> None:
    """Compact the table's files; its rows do not change (OPTIMIZE [ZORDER BY]).

    Example: lakehouse-appkit delta optimize main.default.my_table --zorder-by customer_id
    """
    name = _table("optimize", table)
    columns = [c.strip() for c in (zorder_by or "").split(",") if c.strip()]
    try:
        zorder = f" ZORDER BY ({', '.join(quote(c, 'column') for c in columns)})" if columns else ""
    except InvalidInput as error:
        fail(f"delta optimize: {error.message}", ExitCode.USAGE)
    rows, _, _ = run_statement(
        f"OPTIMIZE {name.quoted}{zorder}", _warehouse("optimize", warehouse_id)
    )
    emit_record(
        _decoded(rows[0]) if rows else {}, as_json=as_json, title=f"optimized {name.full_name}"
    )


@delta_app.command("vacuum")
def vacuum(
    table: str = TableArgument,
    retention_hours: float | None = typer.Option(
        None,
        "--retention-hours",
        min=0,
        help="Keep files removed in the last N hours (default: the table's retention, 168).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be deleted."),
    warehouse_id: str | None = WarehouseOption,
    as_json: bool = JsonOption,
) -> None:
    """Delete files no version within the retention needs (VACUUM); old versions then
    cannot be read. A retention below the table's is refused.

    Example: lakehouse-appkit delta vacuum main.default.my_table --retention-hours 168
    """
    name = _table("vacuum", table)
    retain = f" RETAIN {float(retention_hours):g} HOURS" if retention_hours is not None else ""
    dry = " DRY RUN" if dry_run else ""
    rows, _, _ = run_statement(
        f"VACUUM {name.quoted}{retain}{dry}", _warehouse("vacuum", warehouse_id)
    )
    emit(rows, ["path"], as_json=as_json, empty="nothing to delete")
    if not dry_run and not as_json:
        note(f"vacuumed {name.full_name}")


@delta_app.command("restore")
def restore(
    table: str = TableArgument,
    version: int | None = typer.Option(None, "--version", min=0, help="The version to restore."),
    timestamp: str | None = typer.Option(
        None, "--timestamp", help="Restore the version current at this ISO time (with zone)."
    ),
    warehouse_id: str | None = WarehouseOption,
    as_json: bool = JsonOption,
) -> None:
    """Make the table hold an earlier version's rows again, as a new version (RESTORE).

    Example: lakehouse-appkit delta restore main.default.my_table --version 3
    """
    name = _table("restore", table)
    if (version is None) == (timestamp is None):
        fail("delta restore: give exactly one of --version or --timestamp", ExitCode.USAGE)
    from databricks.sdk.service.sql import StatementParameterListItem

    parameters = []
    if version is not None:
        clause = f"VERSION AS OF {int(version)}"
    else:
        assert timestamp is not None
        try:
            at = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
        except ValueError:
            fail(f"delta restore: --timestamp {timestamp!r} is not an ISO time", ExitCode.USAGE)
        if at.tzinfo is None:
            fail(
                "delta restore: --timestamp needs a zone (e.g. 2025-03-01T10:00:00Z)",
                ExitCode.USAGE,
            )
        text = at.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        parameters.append(StatementParameterListItem(name="as_of", value=text))
        clause = "TIMESTAMP AS OF :as_of"
    rows, _, _ = run_statement(
        f"RESTORE TABLE {name.quoted} TO {clause}", _warehouse("restore", warehouse_id), parameters
    )
    emit_record(rows[0] if rows else {}, as_json=as_json, title=f"restored {name.full_name}")
