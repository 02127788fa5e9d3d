"""``lakehouse-appkit uc``: browse Unity Catalog (catalogs, schemas, tables, volumes, functions)."""

from __future__ import annotations

from typing import Any

import typer

from appkit_domain.identifiers import quote
from appkit_web.catalog_search import SearchHit, match, ranked, table_kind
from appkit_web.cli.app import app
from appkit_web.cli.connection import warehouse_id_from_settings, workspace_client
from appkit_web.cli.output import JSON_OPTION_HELP, ExitCode, emit, emit_record, fail, reported

uc_app = typer.Typer(
    help="Browse Unity Catalog: catalogs, schemas, tables, volumes, functions.\n\n"
    "Example: lakehouse-appkit uc list-tables main sales",
    no_args_is_help=True,
)
app.add_typer(uc_app, name="uc")

JsonOption = typer.Option(False, "--json", help=JSON_OPTION_HELP)
CatalogArgument = typer.Argument(None, help="Catalog name (or --catalog).", show_default=False)
SchemaArgument = typer.Argument(None, help="Schema name (or --schema).", show_default=False)
CatalogOption = typer.Option(None, "--catalog", "-c", help="Catalog name.")
SchemaOption = typer.Option(None, "--schema", "-s", help="Schema name.")


def _named(command: str, what: str, argument: str | None, option: str | None) -> str:
    """A name given as an argument or as its option (the reference's spelling), not both."""
    if argument and option and argument != option:
        fail(
            f"uc {command}: {what} given twice ({argument!r} and --{what} {option!r})",
            ExitCode.USAGE,
        )
    value = argument or option
    if not value:
        fail(f"uc {command}: give the {what} (as an argument or --{what})", ExitCode.USAGE)
    return value


def _plain(obj: Any) -> dict[str, Any]:
    data: dict[str, Any] = obj.as_dict()
    return data


@uc_app.command("list-catalogs")
def list_catalogs(as_json: bool = JsonOption) -> None:
    """List the catalogs you can see.

    Example: lakehouse-appkit uc list-catalogs --json
    """
    w = workspace_client()
    with reported("list catalogs"):
        rows = [_plain(c) for c in w.catalogs.list()]
    emit(rows, ["name", "catalog_type", "owner", "comment"], as_json=as_json, empty="no catalogs")


@uc_app.command("list-schemas")
def list_schemas(
    catalog_name: str | None = CatalogArgument,
    catalog_option: str | None = CatalogOption,
    as_json: bool = JsonOption,
) -> None:
    """List the schemas of a catalog.

    Example: lakehouse-appkit uc list-schemas --catalog main
    """
    catalog = _named("list-schemas", "catalog", catalog_name, catalog_option)
    w = workspace_client()
    with reported(f"list schemas of catalog {catalog}"):
        rows = [_plain(s) for s in w.schemas.list(catalog_name=catalog)]
    emit(rows, ["full_name", "owner", "comment"], as_json=as_json, empty="no schemas")


@uc_app.command("list-tables")
def list_tables(
    catalog_name: str | None = CatalogArgument,
    schema_name: str | None = SchemaArgument,
    catalog_option: str | None = CatalogOption,
    schema_option: str | None = SchemaOption,
    as_json: bool = JsonOption,
) -> None:
    """List the tables and views of a schema.

    Example: lakehouse-appkit uc list-tables --catalog main --schema sales
    """
    catalog = _named("list-tables", "catalog", catalog_name, catalog_option)
    schema = _named("list-tables", "schema", schema_name, schema_option)
    w = workspace_client()
    with reported(f"list tables of {catalog}.{schema}"):
        rows = [_plain(t) for t in w.tables.list(catalog_name=catalog, schema_name=schema)]
    if as_json:
        emit(rows, [], as_json=True)
        return
    emit(
        rows,
        ["full_name", "table_type", "data_source_format", "owner"],
        as_json=False,
        empty="no tables",
    )


@uc_app.command("describe-table")
def describe_table(
    full_name: str = typer.Argument(..., help="catalog.schema.table"), as_json: bool = JsonOption
) -> None:
    """Show a table's type, owner, location and columns.

    Example: lakehouse-appkit uc describe-table main.sales.orders
    """
    w = workspace_client()
    with reported(f"describe table {full_name}"):
        info = _plain(w.tables.get(full_name))
    if as_json:
        emit_record(info, as_json=True)
        return
    summary = {
        key: info.get(key)
        for key in ("full_name", "table_type", "data_source_format", "owner", "comment")
        if info.get(key) is not None
    }
    if info.get("storage_location"):
        summary["storage_location"] = info["storage_location"]
    emit_record(summary, as_json=False, title=full_name)
    columns = [
        {
            "position": c.get("position"),
            "name": c.get("name"),
            "type": c.get("type_text"),
            "nullable": c.get("nullable"),
            "comment": c.get("comment"),
        }
        for c in info.get("columns", [])
    ]
    emit(
        columns,
        ["position", "name", "type", "nullable", "comment"],
        as_json=False,
        title="columns",
        empty="no columns",
    )


@uc_app.command("list-volumes")
def list_volumes(
    catalog_name: str | None = CatalogArgument,
    schema_name: str | None = SchemaArgument,
    catalog_option: str | None = CatalogOption,
    schema_option: str | None = SchemaOption,
    as_json: bool = JsonOption,
) -> None:
    """List the volumes of a schema.

    Example: lakehouse-appkit uc list-volumes --catalog main --schema landing
    """
    catalog = _named("list-volumes", "catalog", catalog_name, catalog_option)
    schema = _named("list-volumes", "schema", schema_name, schema_option)
    w = workspace_client()
    with reported(f"list volumes of {catalog}.{schema}"):
        rows = [_plain(v) for v in w.volumes.list(catalog_name=catalog, schema_name=schema)]
    emit(
        rows, ["full_name", "volume_type", "owner", "comment"], as_json=as_json, empty="no volumes"
    )


@uc_app.command("list-functions")
def list_functions(
    catalog_name: str | None = CatalogArgument,
    schema_name: str | None = SchemaArgument,
    catalog_option: str | None = CatalogOption,
    schema_option: str | None = SchemaOption,
    as_json: bool = JsonOption,
) -> None:
    """List the functions of a schema.

    Example: lakehouse-appkit uc list-functions --catalog main --schema analytics
    """
    catalog = _named("list-functions", "catalog", catalog_name, catalog_option)
    schema = _named("list-functions", "schema", schema_name, schema_option)
    w = workspace_client()
    with reported(f"list functions of {catalog}.{schema}"):
        rows = [_plain(f) for f in w.functions.list(catalog_name=catalog, schema_name=schema)]
    emit(
        rows,
        ["full_name", "data_type", "routine_body", "owner"],
        as_json=as_json,
        empty="no functions",
    )


def _tags(w: Any, warehouse: str | None, catalog: str) -> dict[str, dict[str, str]]:
    """The tags of the catalog's tables (``information_schema.table_tags``), when a warehouse
    is configured and answers; else none (names and comments are still searched)."""
    if not warehouse:
        return {}
    from databricks.sdk.service.sql import Disposition, Format, StatementState

    try:
        response = w.statement_execution.execute_statement(
            statement="SELECT schema_name, table_name, tag_name, tag_value FROM "  # noqa: S608
            f"{quote(catalog)}.information_schema.table_tags",
            warehouse_id=warehouse,
            wait_timeout="30s",
            disposition=Disposition.INLINE,
            format=Format.JSON_ARRAY,
        )
    except Exception:
        return {}
    if not response.status or response.status.state is not StatementState.SUCCEEDED:
        return {}
    found: dict[str, dict[str, str]] = {}
    for schema_name, table_name, tag, value in (
        (response.result.data_array or []) if response.result else []
    ):
        found.setdefault(f"{catalog}.{schema_name}.{table_name}", {})[str(tag)] = str(value or "")
    return found


def _search(
    query: str, catalog: str | None, schema: str | None, limit: int, warehouse: str | None
) -> list[SearchHit]:
    w = workspace_client()
    hits: list[SearchHit] = []

    def add(hit: SearchHit | None) -> None:
        if hit is not None:
            hits.append(hit)

    catalogs = [c for c in w.catalogs.list() if c.name and (catalog is None or c.name == catalog)]
    for catalog_info in catalogs:
        catalog_name = str(catalog_info.name)
        if catalog is None:
            add(match(query, "CATALOG", _plain(catalog_info)))
        tags = _tags(w, warehouse, catalog_name)
        schemas = [
            s
            for s in w.schemas.list(catalog_name=catalog_name)
            if s.name and (schema is None or s.name == schema)
        ]
        for schema_info in schemas:
            if schema is None:
                add(match(query, "SCHEMA", _plain(schema_info)))
            for table in w.tables.list(
                catalog_name=catalog_name, schema_name=str(schema_info.name)
            ):
                item = _plain(table)
                add(match(query, table_kind(item), item, tags.get(str(item.get("full_name")))))
    return ranked(hits, limit)


@uc_app.command("search")
def search(
    query: str = typer.Argument(..., help="Words (all must match) or a glob (*, ?) on names."),
    catalog: str | None = typer.Option(None, "--catalog", help="Search only this catalog."),
    schema: str | None = typer.Option(None, "--schema", help="Search only this schema."),
    max_results: int = typer.Option(
        100, "--max-results", "--limit", "-n", min=1, help="At most this many matches."
    ),
    warehouse_id: str | None = typer.Option(
        None, "--warehouse-id", "-w", help="Warehouse to read tags with (default: configured)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Find catalogs, schemas, tables and views by words in their names, comments, columns
    and tags (best first), or by a glob on names.

    Example: lakehouse-appkit uc search "customer data" --max-results 10
    """
    if schema and not catalog:
        fail("uc search: --schema needs --catalog", ExitCode.USAGE)
    with reported(f"search Unity Catalog for {query!r}"):
        hits = _search(
            query, catalog, schema, max_results, warehouse_id_from_settings(warehouse_id)
        )
    rows = [{**h.as_json(), "matched": ", ".join(h.matched)} for h in hits]
    emit(rows, ["kind", "full_name", "matched", "comment"], as_json=as_json, empty="no matches")
