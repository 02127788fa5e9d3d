"""The root typer application; each command group lives in its own module."""

from __future__ import annotations

import typer

from appkit_web import __version__
from appkit_web.cli.output import EXIT_CODES_HELP

app = typer.Typer(
    name="lakehouse-appkit",
    help="Build, run and operate governed FastAPI apps for Databricks Apps.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"lakehouse-appkit {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """Lakehouse AppKit: maker-checker approvals, overrides, DQ exceptions, write-back, audit.

    Example: lakehouse-appkit audit verify
    """


def main() -> None:
    app()
