"""``lakehouse-appkit dashboard``: AI/BI (Lakeview) dashboards: list, get, create from a
file, publish, and the published version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from appkit_web.cli.app import app
from appkit_web.cli.connection import warehouse_id_from_settings, workspace_client
from appkit_web.cli.output import (
    JSON_OPTION_HELP,
    ExitCode,
    emit,
    emit_record,
    fail,
    note,
    reported,
)

dashboard_app = typer.Typer(
    help="AI/BI (Lakeview) dashboards.\n\n"
    "Example: lakehouse-appkit dashboard create --file sales.lvdash.json --name Sales",
    no_args_is_help=True,
)
app.add_typer(dashboard_app, name="dashboard")

JsonOption = typer.Option(False, "--json", help=JSON_OPTION_HELP)


def _plain(obj: Any) -> dict[str, Any]:
    data: dict[str, Any] = obj.as_dict()
    data.pop("serialized_dashboard", None)
    return data


@dashboard_app.command("list")
def list_dashboards(as_json: bool = JsonOption) -> None:
    """List the dashboards (drafts) you can see.

    Example: lakehouse-appkit dashboard list
    """
    w = workspace_client()
    with reported("list dashboards"):
        rows = [_plain(d) for d in w.lakeview.list()]
    emit(
        rows,
        ["dashboard_id", "display_name", "path", "lifecycle_state"],
        as_json=as_json,
        empty="no dashboards",
    )


@dashboard_app.command("get")
def get_dashboard(
    dashboard_id: str = typer.Argument(..., help="Dashboard id."),
    definition: Path | None = typer.Option(
        None, "--definition", help="Also write its definition here."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Show a dashboard; --definition writes its JSON (a .lvdash.json file).

    Example: lakehouse-appkit dashboard get 01ef... --definition sales.lvdash.json
    """
    w = workspace_client()
    with reported(f"get dashboard {dashboard_id}"):
        found = w.lakeview.get(dashboard_id)
    if definition is not None:
        definition.write_text(found.serialized_dashboard or "{}")
    emit_record(_plain(found), as_json=as_json, title=found.display_name)


@dashboard_app.command("create")
def create_dashboard(
    file: Path = typer.Option(
        ..., "--file", help="The dashboard definition (.lvdash.json).", exists=True, dir_okay=False
    ),
    name: str | None = typer.Option(
        None, "--name", help="Display name (default: the file's name)."
    ),
    warehouse_id: str | None = typer.Option(
        None, "--warehouse-id", "-w", help="Warehouse it runs on."
    ),
    parent_path: str | None = typer.Option(None, "--parent-path", help="Workspace folder for it."),
    as_json: bool = JsonOption,
) -> None:
    """Create a draft dashboard from a definition file.

    Example: lakehouse-appkit dashboard create --file sales.lvdash.json --name Sales
    """
    from databricks.sdk.service.dashboards import Dashboard

    text = file.read_text()
    try:
        if not isinstance(json.loads(text), dict):
            raise ValueError
    except ValueError:
        fail(
            f"dashboard create: {file} is not a dashboard definition (a JSON object)",
            ExitCode.USAGE,
        )
    display = name or file.name.removesuffix(".json").removesuffix(".lvdash")
    w = workspace_client()
    with reported(f"create dashboard {display}"):
        created = w.lakeview.create(
            dashboard=Dashboard(
                display_name=display,
                serialized_dashboard=text,
                warehouse_id=warehouse_id_from_settings(warehouse_id),
                parent_path=parent_path,
            )
        )
    if as_json:
        emit_record(_plain(created), as_json=True)
        return
    typer.echo(created.dashboard_id)


@dashboard_app.command("publish")
def publish_dashboard(
    dashboard_id: str = typer.Argument(..., help="Dashboard id."),
    warehouse_id: str | None = typer.Option(
        None, "--warehouse-id", "-w", help="Warehouse viewers' queries use."
    ),
    embed_credentials: bool = typer.Option(
        True,
        "--embed-credentials/--viewer-credentials",
        help="Viewers query with your credentials, or their own.",
    ),
    as_json: bool = JsonOption,
) -> None:
    """Publish the dashboard's current draft.

    Example: lakehouse-appkit dashboard publish 01ef... --viewer-credentials
    """
    w = workspace_client()
    with reported(f"publish dashboard {dashboard_id}"):
        published = w.lakeview.publish(
            dashboard_id,
            embed_credentials=embed_credentials,
            warehouse_id=warehouse_id_from_settings(warehouse_id),
        )
    if as_json:
        emit_record(published.as_dict(), as_json=True)
        return
    note(f"published dashboard {dashboard_id}")


@dashboard_app.command("get-published")
def get_published(
    dashboard_id: str = typer.Argument(..., help="Dashboard id."), as_json: bool = JsonOption
) -> None:
    """Show the published version of a dashboard.

    Example: lakehouse-appkit dashboard get-published 01ef...
    """
    w = workspace_client()
    with reported(f"get the published dashboard {dashboard_id}"):
        published = w.lakeview.get_published(dashboard_id)
    emit_record(published.as_dict(), as_json=as_json, title=published.display_name)
