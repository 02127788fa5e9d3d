"""The workspace a command talks to: databricks-sdk's ``WorkspaceClient`` from the usual config.

Credentials resolve as the SDK does: ``DATABRICKS_HOST`` with ``DATABRICKS_TOKEN``
(or ``DATABRICKS_CLIENT_ID``/``DATABRICKS_CLIENT_SECRET``), or a
``~/.databrickscfg`` profile named by ``DATABRICKS_CONFIG_PROFILE``. When both
a token and client credentials are set (a developer shell inside an Apps
environment), the token wins instead of failing with "more than one
authorization method".

Before the SDK is asked anything, the host is dialled once: a refused
connection or an unknown host fails at once (exit 1) instead of after the
SDK's retry window.
"""

from __future__ import annotations

import configparser
import os
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from appkit_web.cli.output import ExitCode, fail, one_line

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

RETRY_TIMEOUT_ENV = "APPKIT_CLI_RETRY_TIMEOUT"
CONNECT_SECONDS = 5.0


def _retry_timeout(environ: Mapping[str, str]) -> int:
    raw = environ.get(RETRY_TIMEOUT_ENV, "60")
    try:
        return max(1, int(raw))
    except ValueError:
        fail(
            f"setting {RETRY_TIMEOUT_ENV}: must be a whole number of seconds (got {raw!r})",
            ExitCode.USAGE,
        )


def configured_host(environ: Mapping[str, str]) -> str | None:
    """``DATABRICKS_HOST``, else the host of the config profile in use (``DEFAULT`` if any)."""
    if environ.get("DATABRICKS_HOST"):
        return environ["DATABRICKS_HOST"]
    path = Path(environ.get("DATABRICKS_CONFIG_FILE") or Path.home() / ".databrickscfg")
    parser = configparser.ConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error):
        return None
    profile = environ.get("DATABRICKS_CONFIG_PROFILE") or "DEFAULT"
    section = parser.defaults() if profile == "DEFAULT" else None
    if section is None and parser.has_section(profile):
        section = parser[profile]
    return (section or {}).get("host") or None


def require_reachable(host: str, timeout: float = CONNECT_SECONDS) -> None:
    """Dial ``host`` once; exit 1 naming the host when it refuses, is unknown or does not answer."""
    url = urlsplit(host if "://" in host else f"https://{host}")
    if not url.hostname:
        fail(f"DATABRICKS_HOST {host!r} is not a URL", ExitCode.USAGE)
    port = url.port or (80 if url.scheme == "http" else 443)
    try:
        with socket.create_connection((url.hostname, port), timeout=timeout):
            return
    except ConnectionRefusedError:
        reason = "connection refused"
    except socket.gaierror:
        reason = "unknown host"
    except TimeoutError:
        reason = f"no answer within {timeout:g}s"
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
    fail(f"cannot reach the workspace at {host}: {reason}", ExitCode.FAILURE)


def workspace_client(environ: Mapping[str, str] | None = None) -> WorkspaceClient:
    """A client for the configured workspace; exits with code 2 and one line when unconfigured,
    1 when the workspace cannot be reached."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    env = os.environ if environ is None else environ
    host = configured_host(env)
    if host:
        require_reachable(host)
    options: dict[str, object] = {"retry_timeout_seconds": _retry_timeout(env)}
    has_token = bool(env.get("DATABRICKS_TOKEN"))
    has_m2m = bool(env.get("DATABRICKS_CLIENT_ID") and env.get("DATABRICKS_CLIENT_SECRET"))
    if has_token and has_m2m and not env.get("DATABRICKS_AUTH_TYPE"):
        options["auth_type"] = "pat"
    try:
        return WorkspaceClient(config=Config(**options))  # type: ignore[arg-type]
    except ValueError as exc:
        fail(
            "cannot connect to a workspace: "
            f"{one_line(str(exc))} (set DATABRICKS_HOST and DATABRICKS_TOKEN, or a profile)",
            ExitCode.USAGE,
        )


def warehouse_id_from_settings(option: str | None) -> str | None:
    """The warehouse id: the option, else ``DATABRICKS_WAREHOUSE_ID`` /
    ``DATABRICKS_SQL_WAREHOUSE_ID``, else the profile's ``config/.env.<profile>``."""
    if option:
        return option
    for name in ("DATABRICKS_WAREHOUSE_ID", "DATABRICKS_SQL_WAREHOUSE_ID"):
        if os.environ.get(name):
            return os.environ[name]
    from appkit_web.settings import SettingsError, load_settings

    try:
        return load_settings().warehouse_id
    except SettingsError:
        return None
