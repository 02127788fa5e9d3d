"""The root typer application; each command group lives in its own module, loaded on first use.

Importing a command module registers its command on :data:`app`. Modules are
imported only when their command runs (or when help lists every command), so
``--version`` and ``run`` on the local backend never import databricks-sdk.
A new command group adds one row to :data:`COMMAND_MODULES`; groups of other
installed packages join through the ``lakehouse_appkit.commands`` entry points.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import typer
from typer.core import TyperGroup

from appkit_web import __version__
from appkit_web.cli.output import (
    EXIT_CODES_HELP,
    OUTPUT_OPTION_HELP,
    OutputFormat,
    choose_format,
)

COMMAND_MODULES: dict[str, str] = {
    "add": "appkit_web.cli.add",
    "ai": "appkit_web.cli.ai",
    "apps": "appkit_web.cli.apps",
    "audit": "appkit_web.cli.audit",
    "connections": "appkit_web.cli.connections",
    "create": "appkit_web.cli.create",
    "dashboard": "appkit_web.cli.dashboard",
    "db": "appkit_web.cli.db",
    "delta": "appkit_web.cli.delta",
    "deploy": "appkit_web.cli.deploy",
    "genie": "appkit_web.cli.genie",
    "init": "appkit_web.cli.init",
    "jobs": "appkit_web.cli.jobs",
    "mlflow": "appkit_web.cli.mlflow",
    "model": "appkit_web.cli.model",
    "notebook": "appkit_web.cli.notebook",
    "oauth": "appkit_web.cli.oauth",
    "run": "appkit_web.cli.run",
    "runs": "appkit_web.cli.runs",
    "secrets": "appkit_web.cli.secrets",
    "sql": "appkit_web.cli.sql",
    "uc": "appkit_web.cli.uc",
    "vector": "appkit_web.cli.vector",
}
"""Command name -> the module whose import registers it on :data:`app`."""


class LazyCommands(TyperGroup):
    """A root group whose commands are imported when first asked for by name."""

    def list_commands(self, ctx: Any) -> list[str]:
        from appkit_web.cli.plugins import plugin_names

        return sorted({*self.commands, *COMMAND_MODULES, *plugin_names()})

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            loaded = _load(cmd_name)
            if loaded is None:
                return None
            self.commands[cmd_name] = loaded
        return self.commands.get(cmd_name)


def _load(name: str) -> Any:
    module = COMMAND_MODULES.get(name)
    if module is not None:
        importlib.import_module(module)
        built = typer.main.get_group(app)
        return built.commands.get(name)
    from appkit_web.cli.plugins import plugin_command

    return plugin_command(name)


app = typer.Typer(
    name="lakehouse-appkit",
    cls=LazyCommands,
    help="Build, run and operate governed FastAPI apps for Databricks Apps.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"lakehouse-appkit {__version__}")
        raise typer.Exit()


def _use_profile(value: str | None) -> str | None:
    if value:
        # databricks-sdk (every workspace command) and the app's settings both read it.
        os.environ["DATABRICKS_CONFIG_PROFILE"] = value
    return value


@app.callback()
def root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
    profile: str | None = typer.Option(
        None,
        "--profile",
        callback=_use_profile,
        is_eager=True,
        help="A Databricks configuration profile (~/.databrickscfg) for workspace commands.",
    ),
    output: OutputFormat = typer.Option(
        None, "--output", "-o", callback=choose_format, help=OUTPUT_OPTION_HELP
    ),
) -> None:
    """Lakehouse AppKit: maker-checker approvals, overrides, DQ exceptions, write-back, audit.

    Example: lakehouse-appkit audit verify
    """


def main(**kwargs: Any) -> None:
    app(**kwargs)
