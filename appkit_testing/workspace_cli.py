"""``lakehouse-appkit workspace serve``: run the emulated Databricks workspace.

The command ships beside the emulator in ``appkit_testing`` and joins the
``lakehouse-appkit`` command line through the ``lakehouse_appkit.commands``
entry point group, so the web layer never imports the testing package.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from appkit_domain.errors import AppkitError

workspace_app = typer.Typer(
    name="workspace",
    help="The emulated Databricks workspace (local REST API for tests and CI).",
    no_args_is_help=True,
)


@workspace_app.command("serve")
def serve(
    port: int = typer.Option(8787, "--port", help="Port on 127.0.0.1 (0 picks a free one)."),
    data: Path = typer.Option(
        None, "--data", help="Keep tables in this directory (default: in memory)."
    ),
    latency_ms: int = typer.Option(0, "--latency-ms", min=0, help="Added latency per request."),
    fault_rate: float = typer.Option(
        0.0,
        "--fault-rate",
        min=0.0,
        max=1.0,
        help="Share of Databricks requests answered 429 or 503 (half each).",
    ),
    seed: int = typer.Option(None, "--seed", help="Seed for a reproducible fault sequence."),
    principals: Path = typer.Option(
        None, "--principals", help="JSON/YAML file declaring users and service principals."
    ),
    token: str = typer.Option(
        None, "--token", envvar="APPKIT_WORKSPACE_TOKEN", help="Admin token (default: random)."
    ),
) -> None:
    """Serve an emulated workspace; print DATABRICKS_* lines a shell can export.

    Example (one shell):

    \b
        lakehouse-appkit workspace serve --port 8787 --seed 7 > emulator.env &
        sleep 2; export $(cat emulator.env)
        databricks current-user me    # or any databricks-sdk client
    """
    from appkit_testing.workspace.serve import serve as serve_workspace  # heavy: load on use

    typer.echo("# emulated Databricks workspace; Ctrl-C stops it", err=True)

    def echo(line: str) -> None:
        typer.echo(line)
        sys.stdout.flush()

    try:
        serve_workspace(
            port=port,
            data_dir=data,
            latency_ms=latency_ms,
            fault_rate=fault_rate,
            seed=seed,
            principals_file=principals,
            admin_token=token,
            echo=echo,
        )
    except (AppkitError, ValueError, OSError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
