"""``lakehouse-appkit run``: serve the governed app with uvicorn.

Without any settings it serves the sample governed app with dev identity on
the embedded backend (``local`` when installed, else ``memory``). The choices
travel to the app factory as environment variables, so ``--reload`` workers
see them too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

import typer

from appkit_web.cli.app import app


class BackendChoice(str, Enum):
    local = "local"
    databricks = "databricks"
    memory = "memory"


def default_port() -> int:
    raw = os.environ.get("DATABRICKS_APP_PORT")
    if raw is None:
        return 8000
    try:
        return int(raw)
    except ValueError:
        raise typer.BadParameter(
            f"DATABRICKS_APP_PORT must be a port number, got {raw!r}"
        ) from None


def embedded_backend() -> str:
    """``local`` when its stores are installed, else ``memory``."""
    from appkit_web.backends import available_backends

    return "local" if "local" in available_backends() else "memory"


def serve_app():  # type: ignore[no-untyped-def]
    """uvicorn factory: settings from the environment; one line and exit 2 when they are bad."""
    from appkit_web.app import create_app
    from appkit_web.logs import configure_logging
    from appkit_web.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    app = create_app(settings, title="Lakehouse AppKit sample governed app")
    # the container's redactor knows the secret values resolved from secret:// settings
    configure_logging(settings.log_level, app.state.container.redactor())
    return app


@dataclass(frozen=True)
class RunPlan:
    """Where to listen and which settings the app factory will read."""

    host: str
    port: int
    environ: dict[str, str]


def plan_run(
    host: str | None,
    port: int | None,
    backend: str | None,
    demo: bool,
    environ: Mapping[str, str],
) -> RunPlan:
    """Decide bind address, port and the environment additions for ``run``.

    Inside Databricks Apps (``DATABRICKS_APP_PORT`` set) bind ``0.0.0.0`` on that
    port; elsewhere bind loopback on 8000. Without a backend setting and without
    Databricks settings, serve the embedded backend.
    """
    added: dict[str, str] = {}
    if backend is not None:
        added["APPKIT_BACKEND"] = backend
    elif not environ.get("APPKIT_BACKEND") and not environ.get("DATABRICKS_HOST"):
        added["APPKIT_BACKEND"] = embedded_backend()
    if demo:
        added["APPKIT_DEMO"] = "1"
    in_apps = "DATABRICKS_APP_PORT" in environ
    bind = host or ("0.0.0.0" if in_apps else "127.0.0.1")  # noqa: S104 - Apps requires it
    if port is None:
        raw = environ.get("DATABRICKS_APP_PORT")
        try:
            port = int(raw) if raw is not None else 8000
        except ValueError:
            raise typer.BadParameter(
                f"DATABRICKS_APP_PORT must be a port number, got {raw!r}"
            ) from None
    return RunPlan(bind, port, added)


@app.command()
def run(
    host: str = typer.Option(
        None,
        "--host",
        help="Interface to bind (default 0.0.0.0 in Databricks Apps, else 127.0.0.1).",
    ),
    port: int = typer.Option(None, "--port", help="Port (default DATABRICKS_APP_PORT, else 8000)."),
    reload: bool = typer.Option(False, "--reload", help="Restart on code changes (development)."),
    backend: BackendChoice = typer.Option(None, "--backend", help="Where governance state lives."),
    demo: bool = typer.Option(False, "--demo", help="Seed the demo world on this backend."),
) -> None:
    """Serve the governed app (the sample app when nothing is configured).

    Example: lakehouse-appkit run --backend memory --port 8080
    """
    import uvicorn

    from appkit_web.settings import SettingsError, load_settings

    plan = plan_run(host, port, backend.value if backend else None, demo, os.environ)
    os.environ.update(plan.environ)  # the factory (and --reload workers) read them
    try:
        settings = load_settings()
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"serving on http://{plan.host}:{plan.port} (backend {settings.effective_backend.value}, "
        f"identity {settings.effective_identity.value}, profile {settings.app_env.value}); "
        f"API docs at /docs",
        err=True,
    )
    uvicorn.run(
        "appkit_web.cli.run:serve_app",
        factory=True,
        host=plan.host,
        port=plan.port,
        reload=reload,
        proxy_headers=False,  # the peer address decides loopback trust in dev identity mode
        timeout_graceful_shutdown=10,
        log_config=None,
        access_log=False,  # the app writes its own access line with request id and principal
    )
