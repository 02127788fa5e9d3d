"""``lakehouse-appkit uc``: browse Unity Catalog (catalogs, schemas, tables, volumes, functions)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import Any

import typer

from appkit_web.cli.app import app
from appkit_web.cli.connection import workspace_client
from appkit_web.cli.output import JSON_OPTION_HELP, emit, emit_record, reported

uc_app = typer.Typer(
    help="Browse Unity Catalog: catalogs, schemas, tables, volumes, functions.\n\n"
    "Example: lakehouse-appkit uc list-tables main sales",
    no_args_is_help=True,
)
app.add_typer(uc_app, name="uc")

JsonOption = typer.Option(False, "--json", help=JSON_OPTION_HELP)


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
    catalog: str = typer.Argument(..., help="Catalog name."), as_json: bool = JsonOption
) -> None:
    """List the schemas of a catalog.

    Example: lakehouse-appkit uc list-schemas main
    """
    w = workspace_client()
    with reported(f"list schemas of catalog {catalog}"):
        rows = [_plain(s) for s in w.schemas.list(catalog_name=catalog)]
    emit(rows, ["full_name", "owner", "comment"], as_json=as_json, empty="no schemas")


@uc_app.command("list-tables")
def list_tables(
    catalog: str = typer.Argument(..., help="Catalog name."),
    schema: str = typer.Argument(..., help="Schema name."),
    as_json: bool = JsonOption,
) -> None:
    """List the tables and views of a schema.

    Example: lakehouse-appkit uc list-tables main sales
    """
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
    catalog: str = typer.Argument(..., help="Catalog name."),
    schema: str = typer.Argument(..., help="Schema name."),
    as_json: bool = JsonOption,
) -> None:
    """List the volumes of a schema.

    Example: lakehouse-appkit uc list-volumes main landing
    """
    w = workspace_client()
    with reported(f"list volumes of {catalog}.{schema}"):
        rows = [_plain(v) for v in w.volumes.list(catalog_name=catalog, schema_name=schema)]
    emit(
        rows, ["full_name", "volume_type", "owner", "comment"], as_json=as_json, empty="no volumes"
    )


@uc_app.command("list-functions")
def list_functions(
    catalog: str = typer.Argument(..., help="Catalog name."),
    schema: str = typer.Argument(..., help="Schema name."),
    as_json: bool = JsonOption,
) -> None:
    """List the functions of a schema.

    Example: lakehouse-appkit uc list-functions main analytics
    """
    w = workspace_client()
    with reported(f"list functions of {catalog}.{schema}"):
        rows = [_plain(f) for f in w.functions.list(catalog_name=catalog, schema_name=schema)]
    emit(
        rows,
        ["full_name", "data_type", "routine_body", "owner"],
        as_json=as_json,
        empty="no functions",
    )


def _search(
    pattern: str, catalog: str | None, schema: str | None, limit: int
) -> Iterator[dict[str, Any]]:
    w = workspace_client()
    glob = pattern if any(ch in pattern for ch in "*?[") else f"*{pattern}*"

    def matches(name: str) -> bool:
        return fnmatch.fnmatchcase(name.lower(), glob.lower())

    found = 0
    catalogs = [catalog] if catalog else [c.name for c in w.catalogs.list() if c.name]
    for catalog_name in catalogs:
        schemas = (
            [schema]
            if schema
            else [s.name for s in w.schemas.list(catalog_name=catalog_name) if s.name]
        )
        for schema_name in schemas:
            if not schema and matches(schema_name):
                yield {"kind": "SCHEMA", "full_name": f"{catalog_name}.{schema_name}", "type": ""}
                found += 1
            for table in w.tables.list(catalog_name=catalog_name, schema_name=schema_name):
                if table.name and matches(table.name):
                    table_type = table.table_type.value if table.table_type else ""
                    yield {"kind": "TABLE", "full_name": table.full_name, "type": table_type}
                    found += 1
                if found >= limit:
                    return


@uc_app.command("search")
def search(
    pattern: str = typer.Argument(..., help="Substring or glob (*, ?) matched on names."),
    catalog: str | None = typer.Option(None, "--catalog", help="Search only this catalog."),
    schema: str | None = typer.Option(None, "--schema", help="Search only this schema."),
    limit: int = typer.Option(100, "--limit", min=1, help="Stop after this many matches."),
    as_json: bool = JsonOption,
) -> None:
    """Find schemas and tables whose name matches a pattern, case-insensitively.

    Example: lakehouse-appkit uc search 'cust*' --catalog demo
    """
    if schema and not catalog:
        from appkit_web.cli.output import ExitCode, fail

        fail("uc search: --schema needs --catalog", ExitCode.USAGE)
    with reported(f"search Unity Catalog for {pattern!r}"):
        rows = list(_search(pattern, catalog, schema, limit))
    emit(rows, ["kind", "full_name", "type"], as_json=as_json, empty="no matches")
