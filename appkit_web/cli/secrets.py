"""``lakehouse-appkit secrets``: manage secret scopes and secrets. Values are never printed."""

from __future__ import annotations

import typer

from appkit_web.cli.app import app
from appkit_web.cli.connection import workspace_client
from appkit_web.cli.output import JSON_OPTION_HELP, ExitCode, emit, fail, note, reported

secrets_app = typer.Typer(
    help="Manage secret scopes and secrets; values are never echoed.\n\n"
    "Example: lakehouse-appkit secrets put-secret my-app client-secret",
    no_args_is_help=True,
)
app.add_typer(secrets_app, name="secrets")

JsonOption = typer.Option(False, "--json", help=JSON_OPTION_HELP)


@secrets_app.command("list-scopes")
def list_scopes(as_json: bool = JsonOption) -> None:
    """List the secret scopes.

    Example: lakehouse-appkit secrets list-scopes --json
    """
    w = workspace_client()
    with reported("list secret scopes"):
        rows = [
            {"name": s.name, "backend_type": s.backend_type.value if s.backend_type else None}
            for s in w.secrets.list_scopes()
        ]
    emit(rows, ["name", "backend_type"], as_json=as_json, empty="no secret scopes")


@secrets_app.command("create-scope")
def create_scope(
    scope: str = typer.Argument(..., help="Scope name: letters, digits, _ . - (at most 128)."),
    initial_manage_principal: str | None = typer.Option(
        None, "--manage-principal", help="Who gets MANAGE (e.g. users); default: you."
    ),
) -> None:
    """Create a Databricks-backed secret scope.

    Example: lakehouse-appkit secrets create-scope my-app
    """
    w = workspace_client()
    with reported(f"create secret scope {scope}"):
        w.secrets.create_scope(scope=scope, initial_manage_principal=initial_manage_principal)
    note(f"created secret scope {scope}")


@secrets_app.command("list-secrets")
def list_secrets(
    scope: str = typer.Argument(..., help="Scope name."), as_json: bool = JsonOption
) -> None:
    """List the keys in a scope (never their values).

    Example: lakehouse-appkit secrets list-secrets my-app
    """
    w = workspace_client()
    with reported(f"list secrets of scope {scope}"):
        rows = [
            {"key": s.key, "last_updated_timestamp": s.last_updated_timestamp}
            for s in w.secrets.list_secrets(scope=scope)
        ]
    emit(rows, ["key", "last_updated_timestamp"], as_json=as_json, empty="no secrets")


@secrets_app.command("put-secret")
def put_secret(
    scope: str = typer.Argument(..., help="Scope name."),
    key: str = typer.Argument(..., help="Secret key."),
    value: str | None = typer.Option(
        None,
        "--value",
        help="The value; omit it to be prompted with hidden input (keeps it out of shell history).",
    ),
) -> None:
    """Store a secret; without --value, prompts for it with hidden input. The value is never echoed.

    Example: lakehouse-appkit secrets put-secret my-app client-secret
    """
    if value is None:
        value = typer.prompt(f"Value for {scope}/{key}", hide_input=True, confirmation_prompt=True)
    if not value:
        fail("put secret: the value is empty", ExitCode.USAGE)
    w = workspace_client()
    with reported(f"put secret {key} in scope {scope}"):
        w.secrets.put_secret(scope=scope, key=key, string_value=value)
    note(f"stored secret {scope}/{key}")


@secrets_app.command("delete-secret")
def delete_secret(
    scope: str = typer.Argument(..., help="Scope name."),
    key: str = typer.Argument(..., help="Secret key."),
) -> None:
    """Delete one secret.

    Example: lakehouse-appkit secrets delete-secret my-app client-secret
    """
    w = workspace_client()
    with reported(f"delete secret {key} from scope {scope}"):
        w.secrets.delete_secret(scope=scope, key=key)
    note(f"deleted secret {scope}/{key}")


@secrets_app.command("delete-scope")
def delete_scope(
    scope: str = typer.Argument(..., help="Scope name."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete a scope and every secret in it (asks first unless --yes).

    Example: lakehouse-appkit secrets delete-scope my-app --yes
    """
    if not yes and not typer.confirm(f"Delete scope {scope} and all its secrets?"):
        fail("delete scope: not confirmed", ExitCode.FAILURE)
    w = workspace_client()
    with reported(f"delete secret scope {scope}"):
        w.secrets.delete_scope(scope=scope)
    note(f"deleted secret scope {scope}")
