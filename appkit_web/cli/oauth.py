"""``lakehouse-appkit oauth``: OAuth tokens for service principals (machine-to-machine)."""

from __future__ import annotations

import os

import typer
from databricks.sdk.core import Config

from appkit_web.cli.app import app
from appkit_web.cli.output import JSON_OPTION_HELP, ExitCode, fail, one_line, print_json

oauth_app = typer.Typer(
    help="OAuth machine-to-machine tokens.\n\n"
    "Example: lakehouse-appkit oauth get-token > token.txt",
    no_args_is_help=True,
)
app.add_typer(oauth_app, name="oauth")


@oauth_app.command("get-token")
def get_token(
    host: str | None = typer.Option(
        None, "--host", help="Workspace URL (default DATABRICKS_HOST)."
    ),
    client_id: str | None = typer.Option(
        None, "--client-id", help="Service principal client id (default DATABRICKS_CLIENT_ID)."
    ),
    as_json: bool = typer.Option(
        False, "--json", help=JSON_OPTION_HELP + " Includes token_type and expiry."
    ),
) -> None:
    """Fetch an access token with the client-credentials flow and print it to stdout only.

    The client secret is read from DATABRICKS_CLIENT_SECRET, never from the command line.
    Nothing about the token is logged.

    Example: TOKEN=$(lakehouse-appkit oauth get-token)
    """
    chosen_host = host or os.environ.get("DATABRICKS_HOST")
    chosen_id = client_id or os.environ.get("DATABRICKS_CLIENT_ID")
    secret = os.environ.get("DATABRICKS_CLIENT_SECRET")
    for name, value in (
        ("DATABRICKS_HOST", chosen_host),
        ("DATABRICKS_CLIENT_ID", chosen_id),
        ("DATABRICKS_CLIENT_SECRET", secret),
    ):
        if not value:
            fail(f"oauth get-token: {name} is not set", ExitCode.USAGE)
    try:
        config = Config(
            host=chosen_host,
            client_id=chosen_id,
            client_secret=secret,
            auth_type="oauth-m2m",
            token=None,
            retry_timeout_seconds=30,
        )
        token = config.oauth_token()
    except Exception as exc:  # the SDK raises ValueError or its own errors for a refused login
        text = one_line(str(exc))
        if secret:
            text = text.replace(secret, "***")
        code = ExitCode.UNAUTHENTICATED if _refused(text) else ExitCode.FAILURE
        fail(f"oauth get-token: {text}", code)
    if as_json:
        print_json(
            {
                "access_token": token.access_token,
                "token_type": token.token_type,
                "expiry": token.expiry.isoformat() if token.expiry else None,
            }
        )
    else:
        typer.echo(token.access_token)


def _refused(text: str) -> bool:
    lowered = text.lower()
    return any(
        word in lowered for word in ("invalid_client", "unauthorized", "401", "invalid client")
    )
