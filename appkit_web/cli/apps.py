"""``lakehouse-appkit apps``: what a deployed Databricks App is doing (its output).

Against the emulated workspace, which runs deployed apps as local processes,
``apps logs`` prints the app's recent output (stdout and stderr). A real
workspace shows app logs in its UI (the app's ``/logz`` page) and streams
them over an OAuth websocket this command does not speak: it says so and
names the page.
"""

from __future__ import annotations

import typer

from appkit_web.cli.app import app
from appkit_web.cli.connection import workspace_client
from appkit_web.cli.output import ExitCode, fail, reported

apps_app = typer.Typer(
    help="Deployed Databricks Apps: their output.\n\nExample: lakehouse-appkit apps logs risk-app",
    no_args_is_help=True,
)
app.add_typer(apps_app, name="apps")


@apps_app.command("logs")
def logs(
    name: str = typer.Argument(..., help="The app's name."),
    tail: int = typer.Option(200, "--tail", min=1, max=2000, help="How many recent lines."),
) -> None:
    """Print a deployed app's recent output (stdout and stderr), oldest first.

    Example: lakehouse-appkit apps logs risk-app --tail 50
    """
    from databricks.sdk.errors import NotFound

    w = workspace_client()
    with reported(f"apps logs {name}"):
        found = w.apps.get(name)
        try:
            body = w.api_client.do("GET", f"/_emulator/apps/{name}/logs", query={"tail": tail})
        except NotFound:
            fail(
                f"apps logs {name}: this workspace shows app logs in its UI and streams them "
                f"over an OAuth websocket, which this command does not speak; open {found.url}/logz",
                ExitCode.FAILURE,
            )
    lines = body.get("lines", []) if isinstance(body, dict) else []
    for line in lines:
        typer.echo(line)
