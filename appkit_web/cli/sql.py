"""``lakehouse-appkit sql``: run a statement on a SQL warehouse as yourself."""

from __future__ import annotations

import typer
from databricks.sdk.service.sql import StatementParameterListItem

from appkit_web.cli.app import app
from appkit_web.cli.connection import warehouse_id_from_settings
from appkit_web.cli.output import (
    JSON_OPTION_HELP,
    OUTPUT_OPTION_HELP,
    ExitCode,
    OutputFormat,
    chosen_format,
    emit,
    fail,
    note,
    print_json,
)
from appkit_web.cli.statements import run_statement

sql_app = typer.Typer(
    help="Run SQL on a warehouse (named parameters only, never formatted into the text).\n\n"
    "Example: lakehouse-appkit sql query 'SELECT 1 AS one'",
    no_args_is_help=True,
)
app.add_typer(sql_app, name="sql")


def parse_parameters(pairs: list[str]) -> list[StatementParameterListItem]:
    """``name=value`` pairs as statement parameters (values travel as strings, typed by SQL)."""
    out: list[StatementParameterListItem] = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip().isidentifier():
            fail(f"sql query: --param {pair!r} must be name=value", ExitCode.USAGE)
        out.append(StatementParameterListItem(name=name.strip(), value=value))
    return out


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
    rows, columns, truncated = run_statement(
        statement, warehouse, parse_parameters(param), limit=limit, timeout=timeout
    )
    chosen = chosen_format(as_json, output)
    if chosen is OutputFormat.json:
        print_json({"columns": columns, "rows": rows, "truncated": truncated})
        return
    emit(rows, [c["name"] for c in columns], as_json=False, empty="no rows", output=chosen)
    if truncated:
        note(f"showing the first {len(rows)} rows (--limit)")
