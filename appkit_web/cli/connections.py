"""``lakehouse-appkit connections``: Unity Catalog connections to external data sources.

Credential options (``--option password=...``) go to the workspace and are
never printed: Unity Catalog does not return them.
"""

from __future__ import annotations

from typing import Any

import typer

from appkit_web.cli.app import app
from appkit_web.cli.connection import workspace_client
from appkit_web.cli.output import (
    JSON_OPTION_HELP,
    ExitCode,
    emit,
    emit_record,
    fail,
    note,
    reported,
)

connections_app = typer.Typer(
    help="Unity Catalog connections (MySQL, PostgreSQL, Snowflake, ...).\n\n"
    "Example: lakehouse-appkit connections list",
    no_args_is_help=True,
)
app.add_typer(connections_app, name="connections")

JsonOption = typer.Option(False, "--json", help=JSON_OPTION_HELP)


def _plain(obj: Any) -> dict[str, Any]:
    data: dict[str, Any] = obj.as_dict()
    return data


def _options(pairs: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            fail(f"connections create: --option {name!r} must be name=value", ExitCode.USAGE)
        options[name.strip()] = value
    if not options:
        fail("connections create: give at least one --option (host=..., port=...)", ExitCode.USAGE)
    return options


@connections_app.command("list")
def list_connections(as_json: bool = JsonOption) -> None:
    """List the connections you can see.

    Example: lakehouse-appkit connections list --json
    """
    w = workspace_client()
    with reported("list connections"):
        rows = [_plain(c) for c in w.connections.list()]
    emit(
        rows,
        ["name", "connection_type", "url", "owner", "comment"],
        as_json=as_json,
        empty="no connections",
    )


@connections_app.command("get")
def get_connection(
    name: str = typer.Argument(..., help="Connection name."), as_json: bool = JsonOption
) -> None:
    """Show one connection (its options, never its credentials).

    Example: lakehouse-appkit connections get crm_postgres
    """
    w = workspace_client()
    with reported(f"get connection {name}"):
        info = _plain(w.connections.get(name))
    emit_record(info, as_json=as_json, title=name)


@connections_app.command("create")
def create_connection(
    name: str = typer.Argument(..., help="Connection name: letters, digits, _ or -."),
    connection_type: str = typer.Option(
        ..., "--type", "-t", help="MYSQL, POSTGRESQL, SNOWFLAKE, SQLSERVER, ..."
    ),
    option: list[str] = typer.Option(
        [],
        "--option",
        "-o",
        help="An option as name=value (host, port, user, password); repeatable.",
    ),
    comment: str | None = typer.Option(None, "--comment", help="What the connection is for."),
    as_json: bool = JsonOption,
) -> None:
    """Create a connection; the credentials you pass are never printed back.

    Example: lakehouse-appkit connections create crm_postgres --type POSTGRESQL -o host=db.internal -o port=5432 -o user=app -o password=...
    """
    from databricks.sdk.service.catalog import ConnectionType

    options = _options(option)
    try:
        kind = ConnectionType(connection_type.upper())
    except ValueError:
        fail(f"connections create: unknown connection type {connection_type!r}", ExitCode.USAGE)
    w = workspace_client()
    with reported(f"create connection {name}"):
        created = _plain(
            w.connections.create(name=name, connection_type=kind, options=options, comment=comment)
        )
    if as_json:
        emit_record(created, as_json=True)
        return
    note(f"created connection {name} ({kind.value})")


@connections_app.command("delete")
def delete_connection(name: str = typer.Argument(..., help="Connection name.")) -> None:
    """Delete a connection.

    Example: lakehouse-appkit connections delete crm_postgres
    """
    w = workspace_client()
    with reported(f"delete connection {name}"):
        w.connections.delete(name)
    note(f"deleted connection {name}")
