"""``lakehouse-appkit init``: write ``config/.env.<profile>.example`` files that explain every setting."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer

from appkit_web.cli.app import app
from appkit_web.cli.output import ExitCode, fail, note

PROFILES = ("dev", "test", "prod")


@dataclass(frozen=True)
class SettingDoc:
    """One documented setting: its environment name, what it does, and a value per profile.

    A value of ``None`` writes the line commented out (the setting is optional
    or must be filled in by the person deploying).
    """

    name: str
    meaning: str
    dev: str | None
    test: str | None
    prod: str | None

    def value_for(self, profile: str) -> str | None:
        value: str | None = getattr(self, profile)
        return value


SETTINGS: tuple[SettingDoc, ...] = (
    SettingDoc(
        "APP_ENV", "Profile: dev, test or prod. Picks config/.env.<profile>.", "dev", "test", "prod"
    ),
    SettingDoc(
        "APPKIT_BACKEND",
        "Where data lives: local (embedded engine in APPKIT_DATA_DIR), memory (in-process, "
        "tests), databricks (SQL warehouse). Default: databricks when DATABRICKS_HOST is set, "
        "else local.",
        "local",
        "memory",
        "databricks",
    ),
    SettingDoc(
        "APPKIT_IDENTITY",
        "Where the caller's identity comes from: databricks-apps (the Apps proxy headers) or "
        "dev (simulated X-Forwarded-* headers from loopback clients; refused in prod).",
        "dev",
        "dev",
        "databricks-apps",
    ),
    SettingDoc(
        "APPKIT_DATA_DIR", "Folder of the local engine's data files.", ".appkit", None, None
    ),
    SettingDoc(
        "DATABRICKS_HOST",
        "Workspace URL, e.g. https://adb-1234567890123456.7.azuredatabricks.net. "
        "Injected by Databricks Apps at runtime.",
        None,
        None,
        None,
    ),
    SettingDoc(
        "DATABRICKS_TOKEN",
        "Personal access token for local work against a workspace. Never commit it; in "
        "prod the app uses its service principal (client id/secret) instead.",
        None,
        None,
        None,
    ),
    SettingDoc(
        "DATABRICKS_CLIENT_ID",
        "OAuth M2M client id of a service principal. Injected by Databricks Apps at runtime.",
        None,
        None,
        None,
    ),
    SettingDoc(
        "DATABRICKS_CLIENT_SECRET",
        "OAuth M2M client secret. Injected by Databricks Apps at runtime; locally, a "
        "secret://scope/key reference is resolved through Databricks secrets.",
        None,
        None,
        None,
    ),
    SettingDoc(
        "DATABRICKS_WAREHOUSE_ID",
        "SQL warehouse id for every statement (also read as DATABRICKS_SQL_WAREHOUSE_ID). "
        "In app.yaml it comes from the sql-warehouse resource through valueFrom.",
        None,
        None,
        None,
    ),
    SettingDoc(
        "DATABRICKS_CATALOG",
        "Unity Catalog catalog that holds the governance tables.",
        "demo",
        "demo",
        "main",
    ),
    SettingDoc(
        "DATABRICKS_SCHEMA",
        "Schema (in DATABRICKS_CATALOG) that holds the governance tables.",
        "governance",
        "governance",
        "governance",
    ),
    SettingDoc(
        "RETRY_MAX_ATTEMPTS",
        "Attempts per idempotent warehouse call, first one included (1-20).",
        "4",
        "2",
        "4",
    ),
    SettingDoc(
        "RETRY_INITIAL_DELAY",
        "Seconds before the first retry; doubles each time, with jitter.",
        "0.5",
        "0.01",
        "0.5",
    ),
    SettingDoc("RETRY_MAX_DELAY", "Upper bound in seconds of one retry delay.", "10", "0.05", "10"),
    SettingDoc(
        "REQUEST_DEADLINE_SECONDS",
        "Budget in seconds for one API request, retries included; stays under the Apps "
        "proxy's 120 s limit (at most 115).",
        "100",
        "10",
        "100",
    ),
    SettingDoc(
        "RATE_LIMIT_REQUESTS_PER_SECOND",
        "Sustained requests per second allowed per caller.",
        "20",
        "1000",
        "20",
    ),
    SettingDoc(
        "RATE_LIMIT_BURST", "Requests a caller may send at once above the rate.", "40", "1000", "40"
    ),
    SettingDoc(
        "CIRCUIT_BREAKER_FAILURE_THRESHOLD",
        "Consecutive upstream failures that open the circuit breaker.",
        "5",
        "5",
        "5",
    ),
    SettingDoc(
        "CIRCUIT_BREAKER_TIMEOUT",
        "Seconds an open breaker waits before letting a trial call through.",
        "30",
        "1",
        "30",
    ),
    SettingDoc(
        "APPKIT_SQL_ROW_LIMIT",
        "Most rows POST /api/sql/query returns (the answer says truncated when cut).",
        "1000",
        "100",
        "1000",
    ),
    SettingDoc("APPKIT_LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR.", "DEBUG", "WARNING", "INFO"),
)


def render_example(profile: str) -> str:
    """The text of ``config/.env.<profile>.example``."""
    lines = [
        f"# Lakehouse AppKit settings for the {profile} profile.",
        f"# Copy to config/.env.{profile} and adjust; the process environment wins over this file.",
        "# A value of secret://scope/key is read from Databricks secrets on the databricks backend.",
        "# Lines starting with # are ignored; uncomment a setting to use it.",
        "",
    ]
    for setting in SETTINGS:
        lines.append(f"# {setting.meaning}")
        value = setting.value_for(profile)
        lines.append(f"{setting.name}={value}" if value is not None else f"# {setting.name}=")
        lines.append("")
    return "\n".join(lines)


@app.command("init")
def init_command(
    directory: Path = typer.Option(
        Path("."), "--dir", help="Project folder; the files go to <dir>/config/."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite existing example files."),
) -> None:
    """Write config/.env.dev.example, .env.test.example and .env.prod.example explaining each setting.

    Existing files are kept unless --force is given.

    Example: lakehouse-appkit init --dir my-app
    """
    folder = directory / "config"
    targets = [folder / f".env.{profile}.example" for profile in PROFILES]
    existing = [path for path in targets if path.exists()]
    if existing and not force:
        names = ", ".join(str(path) for path in existing)
        fail(f"init: {names} already exist(s); pass --force to overwrite", ExitCode.USAGE)
    folder.mkdir(parents=True, exist_ok=True)
    for profile, path in zip(PROFILES, targets):
        path.write_text(render_example(profile), encoding="utf-8")
        note(f"wrote {path}")
