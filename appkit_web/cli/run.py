"""``lakehouse-appkit run``: serve a governed app with uvicorn.

It serves ``--app module:attr``, else the app the project's ``app.yaml``
runs, else the sample governed app. Without any settings the sample app runs
with dev identity on the embedded backend (``local`` when installed, else
``memory``). The backend comes from ``--backend``, else the environment,
else the profile's settings file. The choices travel to the app factory as
environment variables, so ``--reload`` workers see them too. Before anything
is printed the port is checked: out of range is exit 2, in use exit 1.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import socket
import threading
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from appkit_web.cli.app import app
from appkit_web.cli.audit_via_app import SERVING_FILE
from appkit_web.cli.output import ExitCode, fail, note

RUN_APP_ENV = "APPKIT_RUN_APP"
"""The ``module:attr`` the factory serves (set by ``run`` for itself and its reload workers)."""


class BackendChoice(str, Enum):
    local = "local"
    databricks = "databricks"
    memory = "memory"


def embedded_backend() -> str:
    """``local`` when its stores are installed, else ``memory``."""
    from appkit_web.backends import available_backends

    return "local" if "local" in available_backends() else "memory"


def sample_app():  # type: ignore[no-untyped-def]
    """The sample governed app, for the settings in the environment."""
    from appkit_web.app import create_app
    from appkit_web.settings import load_settings

    return create_app(load_settings(), title="Lakehouse AppKit sample governed app")


def serve_app():  # type: ignore[no-untyped-def]
    """uvicorn factory: the app named by ``APPKIT_RUN_APP``; one line and exit 2 on bad settings."""
    from appkit_domain.errors import InvalidInput
    from appkit_web.cli.app_target import SAMPLE_APP, load_asgi_app
    from appkit_web.settings import SettingsError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # run already printed them once
            return load_asgi_app(os.environ.get(RUN_APP_ENV) or SAMPLE_APP)
    except (SettingsError, InvalidInput) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None


def check_port(port: int, source: str) -> int:
    if not 1 <= port <= 65535:
        fail(f"run: {source} must be a port from 1 to 65535 (got {port})", ExitCode.USAGE)
    return port


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
    file_values: Mapping[str, str] | None = None,
) -> RunPlan:
    """Decide bind address, port and the environment additions for ``run``.

    Inside Databricks Apps (``DATABRICKS_APP_PORT`` set) bind ``0.0.0.0`` on that
    port; elsewhere bind loopback on 8000. Without a backend setting (option,
    environment or the settings file in ``file_values``) and without Databricks
    settings, serve the embedded backend.
    """
    seen = {**(file_values or {}), **environ}
    added: dict[str, str] = {}
    if backend is not None:
        added["APPKIT_BACKEND"] = backend
    elif not seen.get("APPKIT_BACKEND") and not seen.get("DATABRICKS_HOST"):
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
            fail(f"run: DATABRICKS_APP_PORT must be a port number (got {raw!r})", ExitCode.USAGE)
        check_port(port, "DATABRICKS_APP_PORT")
    return RunPlan(bind, check_port(port, "--port"), added)


def require_free_port(host: str, port: int) -> None:
    """Exit 1 when ``host:port`` is taken, 2 when it cannot be bound at all (bad host)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        fail(f"run: cannot listen on {host}: {exc.strerror}", ExitCode.USAGE)
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(
                    f"run: port {port} on {host} is in use by another program; "
                    "stop it or pass --port",
                    ExitCode.FAILURE,
                )
            fail(f"run: cannot listen on {host}:{port}: {exc.strerror}", ExitCode.USAGE)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    # uvicorn restores this handler after its graceful shutdown and re-raises the signal:
    # exiting through SystemExit (not the default kill) lets cleanup blocks run.
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def serving_note(data_dir: Path, host: str, port: int) -> Iterator[None]:
    """Leave ``serving.json`` (URL, pid) in the local data directory while serving."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    path = data_dir / SERVING_FILE
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"url": f"http://{shown}:{port}", "pid": os.getpid()}))
    except OSError:
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


def _load_checked_settings() -> Any:
    from appkit_web.settings import SettingsError, load_settings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            settings = load_settings()
        except SettingsError as exc:
            fail(str(exc), ExitCode.USAGE)
    for warning in caught:
        note(f"warning: {warning.message}")
    return settings


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
    app_spec: str = typer.Option(
        None,
        "--app",
        help="The app to serve as module:attribute (an app or a factory); "
        "default: the one app.yaml runs, else the sample app.",
    ),
) -> None:
    """Serve a governed app: --app, the project's app.yaml app, or the sample app.

    Example: lakehouse-appkit run --backend memory --port 8080
    """
    import uvicorn

    from appkit_domain.errors import InvalidInput
    from appkit_web.cli.app_target import choose_target
    from appkit_web.settings import read_settings_file, settings_file

    profile = os.environ.get("APP_ENV", "dev")
    try:
        file_values = read_settings_file(settings_file(profile=profile))
    except InvalidInput as exc:
        fail(str(exc), ExitCode.USAGE)
    plan = plan_run(host, port, backend.value if backend else None, demo, os.environ, file_values)
    try:
        target = choose_target(app_spec, Path.cwd())
    except InvalidInput as exc:
        fail(f"run: {exc}", ExitCode.USAGE)
    os.environ.update(plan.environ)  # the factory (and --reload workers) read them
    os.environ[RUN_APP_ENV] = target.spec
    settings = _load_checked_settings()
    require_free_port(plan.host, plan.port)
    note(
        f"serving {target.spec} ({target.source}) on http://{plan.host}:{plan.port} "
        f"(backend {settings.effective_backend.value}, identity "
        f"{settings.effective_identity.value}, profile {settings.app_env.value}); "
        "console at /console, API docs at /docs"
    )
    local = settings.effective_backend.value == "local"
    keeper = serving_note(settings.data_dir, plan.host, plan.port) if local else None
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with keeper or contextlib.nullcontext():
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
