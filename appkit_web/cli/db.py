"""``lakehouse-appkit db``: create the governance tables in the configured ``catalog.schema``."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import typer

from appkit_adapters.sql.schema import TABLES, InitReport, init_schema
from appkit_domain.errors import InvalidInput
from appkit_domain.identifiers import check_identifier
from appkit_web.cli.app import app
from appkit_web.cli.output import ExitCode, fail, note, print_json, reported

db_app = typer.Typer(
    help="Governance tables: create them where the app keeps its records.\n\n"
    "Example: lakehouse-appkit db init --catalog main --schema governance",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")


def local_lakehouse_dir(data_dir: Path) -> Path:
    """Where the local backend's embedded lakehouse keeps its catalogs: ``APPKIT_DATA_DIR``
    itself, as the app's local container opens it (:mod:`appkit_web.local_backend`)."""
    return data_dir


def _settings_or_none() -> Any:
    from appkit_web.settings import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as exc:
        note(f"note: settings not loaded ({exc}); using options and defaults")
        return None


async def _init_local(data_dir: Path, catalog: str, schema: str) -> InitReport:
    from appkit_adapters.local.engine import LocalEngine

    with LocalEngine(local_lakehouse_dir(data_dir)) as engine:
        return await init_schema(
            engine.warehouse("app@local"), catalog, schema, create_catalog=True
        )


async def _init_databricks(warehouse_id: str, catalog: str, schema: str) -> InitReport:
    from appkit_adapters.databricks.http import DatabricksHttp
    from appkit_adapters.databricks.statements import StatementExecutionWarehouse
    from appkit_web.cli.connection import workspace_client

    config = workspace_client().config
    async with DatabricksHttp.from_config(config) as http:
        return await init_schema(StatementExecutionWarehouse(http, warehouse_id), catalog, schema)


@db_app.command("init")
def init(
    catalog: str | None = typer.Option(
        None, "--catalog", help="Catalog of the governance tables (default: DATABRICKS_CATALOG)."
    ),
    schema: str | None = typer.Option(
        None, "--schema", help="Schema of the governance tables (default: DATABRICKS_SCHEMA)."
    ),
    backend: str | None = typer.Option(
        None,
        "--backend",
        help="local (embedded lakehouse) or databricks (SQL warehouse); default: APPKIT_BACKEND.",
    ),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Local backend data directory (default: APPKIT_DATA_DIR)."
    ),
    warehouse_id: str | None = typer.Option(
        None, "--warehouse-id", "-w", help="SQL warehouse id (default: DATABRICKS_WAREHOUSE_ID)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print what was done as JSON."),
) -> None:
    """Create the schema and every governance table that does not exist yet.

    Safe to run again: existing tables are left as they are, and a second
    run reports that nothing changed. Tables: audit_events (append-only),
    approval_requests, metric_overrides, dq_exceptions, change_requests,
    applied_changes.

    Example: lakehouse-appkit db init --backend local --catalog main --schema governance

    Example: lakehouse-appkit db init --backend databricks -w 0123456789abcdef

    Exit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 not found,
    4 permission denied, 5 not authenticated.
    """
    settings = _settings_or_none()
    chosen_catalog = catalog or (settings.catalog if settings else "main")
    chosen_schema = schema or (settings.schema_name if settings else "governance")
    chosen_backend = backend or (settings.effective_backend.value if settings else "local")
    try:
        check_identifier(chosen_catalog, "catalog")
        check_identifier(chosen_schema, "schema")
    except InvalidInput as exc:
        fail(f"db init: {exc}", ExitCode.USAGE)
    target = f"{chosen_catalog}.{chosen_schema}"
    with reported(f"db init {target}"):
        if chosen_backend == "local":
            directory = data_dir or (settings.data_dir if settings else Path(".appkit"))
            report = asyncio.run(_init_local(Path(directory), chosen_catalog, chosen_schema))
            where = f"local lakehouse {local_lakehouse_dir(Path(directory))}"
        elif chosen_backend == "databricks":
            chosen_warehouse = warehouse_id or (settings.warehouse_id if settings else None)
            if not chosen_warehouse:
                fail(
                    "db init: no SQL warehouse: pass --warehouse-id or set DATABRICKS_WAREHOUSE_ID",
                    ExitCode.USAGE,
                )
            report = asyncio.run(_init_databricks(chosen_warehouse, chosen_catalog, chosen_schema))
            where = f"SQL warehouse {chosen_warehouse}"
        else:
            fail(
                f"db init: --backend must be local or databricks (got {chosen_backend!r})",
                ExitCode.USAGE,
            )
    if as_json:
        print_json(
            {
                "schema": report.schema,
                "where": where,
                "schema_created": report.schema_created,
                "created": list(report.created),
                "existing": list(report.existing),
                "changed": report.changed,
            }
        )
        return
    if report.schema_created:
        typer.echo(f"created schema {report.schema}")
    for name in report.created:
        typer.echo(f"created table {report.schema}.{name}")
    for name in report.existing:
        typer.echo(f"exists        {report.schema}.{name}")
    summary = (
        f"{len(report.created)} of {len(TABLES)} governance tables created"
        if report.changed
        else f"nothing to do: all {len(TABLES)} governance tables exist"
    )
    typer.echo(f"{summary} in {report.schema} ({where})")
    configured = (settings.catalog, settings.schema_name) if settings else ("demo", "governance")
    if (chosen_catalog, chosen_schema) != configured:
        note(
            f"note: the app and `audit` read {configured[0]}.{configured[1]}: set "
            f"DATABRICKS_CATALOG={chosen_catalog} DATABRICKS_SCHEMA={chosen_schema}, or pass "
            f"--catalog {chosen_catalog} --schema {chosen_schema} to `audit`"
        )
