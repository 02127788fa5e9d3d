"""The workspace a command talks to: databricks-sdk's ``WorkspaceClient`` from the usual config.

Credentials resolve as the SDK does: ``DATABRICKS_HOST`` with ``DATABRICKS_TOKEN``
(or ``DATABRICKS_CLIENT_ID``/``DATABRICKS_CLIENT_SECRET``), or a
``~/.databrickscfg`` profile named by ``DATABRICKS_CONFIG_PROFILE``. When both
a token and client credentials are set (a developer shell inside an Apps
environment), the token wins instead of failing with "more than one
authorization method".
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from databricks.sdk import WorkspaceClient
from databricks.sdk.core import Config

from appkit_web.cli.output import ExitCode, fail, one_line

RETRY_TIMEOUT_ENV = "APPKIT_CLI_RETRY_TIMEOUT"


def _retry_timeout(environ: Mapping[str, str]) -> int:
    raw = environ.get(RETRY_TIMEOUT_ENV, "60")
    try:
        return max(1, int(raw))
    except ValueError:
        fail(
            f"setting {RETRY_TIMEOUT_ENV}: must be a whole number of seconds (got {raw!r})",
            ExitCode.USAGE,
        )


def workspace_client(environ: Mapping[str, str] | None = None) -> WorkspaceClient:
    """A client for the configured workspace; exits with code 2 and one line when unconfigured."""
    env = os.environ if environ is None else environ
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
