"""``lakehouse-appkit sql``: run a statement on a SQL warehouse as yourself."""

from __future__ import annotations

from typing import Any

import typer
from databricks.sdk.service.sql import (
    Disposition,
    Format,
    StatementParameterListItem,
    StatementResponse,
    StatementState,
)

from appkit_web.cli.app import app
from appkit_web.cli.connection import warehouse_id_from_settings, workspace_client
from appkit_web.cli.output import (
    JSON_OPTION_HELP,
    OUTPUT_OPTION_HELP,
    ExitCode,
    OutputFormat,
    chosen_format,
    emit,
    fail,
    note,
    one_line,
    print_json,
    reported,
)
from appkit_web.cli.progress import WaitTimedOut, wait_for

sql_app = typer.Typer(
    help="Run SQL on a warehouse (named parameters only, never formatted into the text).\n\n"
    "Example: lakehouse-appkit sql query 'SELECT 1 AS one'",
    no_args_is_help=True,
)
app.add_typer(sql_app, name="sql")

_TERMINAL = {
    StatementState.SUCCEEDED,
    StatementState.FAILED,
    StatementState.CANCELED,
    StatementState.CLOSED,
}


def parse_parameters(pairs: list[str]) -> list[StatementParameterListItem]:
    """``name=value`` pairs as statement parameters (values travel as strings, typed by SQL)."""
    out: list[StatementParameterListItem] = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip().isidentifier():
            fail(f"sql query: --param {pair!r} must be name=value", ExitCode.USAGE)
        out.append(StatementParameterListItem(name=name.strip(), value=value))
    return out


def _failure_code(message: str) -> ExitCode:
    upper = message.upper()
    if "NOT_FOUND" in upper or "DOES NOT EXIST" in upper or "CANNOT BE FOUND" in upper:
        return ExitCode.NOT_FOUND
    if "PERMISSION" in upper or "INSUFFICIENT_PRIVILEGES" in upper:
        return ExitCode.PERMISSION_DENIED
    return ExitCode.FAILURE


def _state(response: StatementResponse) -> StatementState | None:
    return response.status.state if response.status else None


@sql_app.command("query")
def query(
    statement: str = typer.Argument(..., help="The SQL text; use :name placeholders for values."),
    warehouse_id: str | None = typer.Option(
        None,
        "--warehouse-id",
        "-w",
        help="SQL warehouse id (default: DATABRICKS_WAREHOUSE_ID or the profile's settings).",
    ),
    param: list[str] = typer.Option(
        [], "--param", "-p", help="A named parameter as name=value; repeatable."
    ),
    limit: int = typer.Option(1000, "--limit", min=1, help="Most rows to fetch."),
    timeout: float = typer.Option(600.0, "--timeout", min=1, help="Seconds to wait for a result."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
    output: OutputFormat = typer.Option(None, "--output", "-o", help=OUTPUT_OPTION_HELP),
) -> None:
    """Run one statement on a SQL warehouse and print its rows, with progress while it runs.

    Columns keep the statement's order in every format. JSON is one object
    with columns (name, type), rows and truncated; NDJSON one row per line.

    Example: lakehouse-appkit sql query 'SELECT * FROM demo.risk.metrics WHERE entity = :e' -p e=ACC-1

    Example: lakehouse-appkit sql query 'SELECT * FROM demo.crm.customers' -o csv > customers.csv
    """
    warehouse = warehouse_id_from_settings(warehouse_id)
    if not warehouse:
        fail(
            "sql query: no SQL warehouse: pass --warehouse-id or set DATABRICKS_WAREHOUSE_ID",
            ExitCode.USAGE,
        )
    parameters = parse_parameters(param)
    w = workspace_client()
    action = f"run statement on warehouse {warehouse}"
    with reported(action):
        submitted = w.statement_execution.execute_statement(
            statement=statement,
            warehouse_id=warehouse,
            parameters=parameters or None,
            row_limit=limit,
            wait_timeout="5s",
            disposition=Disposition.INLINE,
            format=Format.JSON_ARRAY,
        )
        statement_id = submitted.statement_id or ""
        try:
            final = wait_for(
                lambda: (
                    submitted
                    if _state(submitted) in _TERMINAL
                    else w.statement_execution.get_statement(statement_id)
                ),
                done=lambda r: _state(r) in _TERMINAL,
                describe=lambda r: str(getattr(_state(r), "value", "submitted")),
                what="statement",
                timeout=timeout,
            )
        except WaitTimedOut:
            w.statement_execution.cancel_execution(statement_id)
            fail(f"{action}: no result within {timeout:g}s; statement cancelled", ExitCode.FAILURE)
        rows, columns, truncated = _collect(w, final, statement_id)
    state = _state(final)
    if state is not StatementState.SUCCEEDED:
        error = final.status.error if final.status else None
        message = one_line(error.message) if error and error.message else f"ended {state}"
        fail(f"{action}: {message}", _failure_code(message))
    chosen = chosen_format(as_json, output)
    if chosen is OutputFormat.json:
        print_json({"columns": columns, "rows": rows, "truncated": truncated})
        return
    emit(rows, [c["name"] for c in columns], as_json=False, empty="no rows", output=chosen)
    if truncated:
        note(f"showing the first {len(rows)} rows (--limit)")


_INTEGERS = {"BYTE", "SHORT", "INT", "LONG"}
_FLOATS = {"FLOAT", "DOUBLE"}


def typed(value: str | None, type_name: str) -> Any:
    """A JSON_ARRAY cell (always a string) as JSON: integers, floats and booleans typed;
    decimals, dates, timestamps and everything else stay strings (no precision is lost)."""
    if value is None:
        return None
    if type_name in _INTEGERS:
        return int(value)
    if type_name in _FLOATS:
        return float(value)
    if type_name == "BOOLEAN":
        return value.lower() == "true"
    return value


def _collect(
    w: Any, final: StatementResponse, statement_id: str
) -> tuple[list[dict[str, Any]], list[dict[str, str]], bool]:
    manifest = final.manifest
    schema_columns = manifest.schema.columns if manifest and manifest.schema else None
    columns = [
        {"name": c.name or f"col{i}", "type": c.type_text or ""}
        for i, c in enumerate(schema_columns or [])
    ]
    names = [c["name"] for c in columns]
    kinds = [c.type_name.value if c.type_name else "STRING" for c in schema_columns or []]
    rows: list[dict[str, Any]] = []
    chunk = final.result
    while chunk is not None:
        for values in chunk.data_array or []:
            rows.append(
                {n: typed(v, k) for n, v, k in zip(names, values, kinds or ["STRING"] * len(names))}
            )
        if chunk.next_chunk_index is None:
            break
        chunk = w.statement_execution.get_statement_result_chunk_n(
            statement_id, chunk.next_chunk_index
        )
    truncated = bool(manifest and manifest.truncated)
    return rows, columns, truncated
