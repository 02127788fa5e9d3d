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
        "APPKIT_DEMO",
        "true seeds the demo world (idempotently) on any backend at start-up.",
        None,
        None,
        None,
    ),
    SettingDoc(
        "APPKIT_AUDIT_STREAM",
        "Name of this instance's audit stream (default: DATABRICKS_APP_NAME, else appkit).",
        None,
        None,
        None,
    ),
    SettingDoc(
        "DATABRICKS_APP_NAME",
        "Set by Databricks Apps at runtime; its presence selects databricks-apps identity.",
        None,
        None,
        None,
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
        "APPKIT_USER_RATE_LIMIT_PER_SECOND",
        "Sustained requests per second this app's API accepts from one user.",
        "20",
        "1000",
        "20",
    ),
    SettingDoc(
        "APPKIT_USER_RATE_LIMIT_BURST",
        "Requests one user may send at once above that rate.",
        "40",
        "1000",
        "40",
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


RESILIENCE: tuple[tuple[str, str, str], ...] = (
    (
        "RETRY_MAX_ATTEMPTS",
        "retry_max_attempts",
        "Attempts per idempotent Databricks call, first included (1-20).",
    ),
    (
        "RETRY_INITIAL_DELAY",
        "retry_initial_delay",
        "Seconds before the first retry; doubles each time, with jitter.",
    ),
    ("RETRY_MAX_DELAY", "retry_max_delay", "Upper bound in seconds of one retry delay."),
    (
        "RATE_LIMIT_REQUESTS_PER_SECOND",
        "rate_limit_requests_per_second",
        "Calls per second this app sends to Databricks (token bucket refill).",
    ),
    (
        "RATE_LIMIT_BURST",
        "rate_limit_burst",
        "Calls to Databricks allowed at once above that rate.",
    ),
    (
        "CIRCUIT_BREAKER_FAILURE_THRESHOLD",
        "circuit_breaker_failure_threshold",
        "Consecutive failures of a Databricks service that open its circuit breaker.",
    ),
    (
        "CIRCUIT_BREAKER_TIMEOUT",
        "circuit_breaker_timeout",
        "Seconds an open breaker waits before letting a trial call through.",
    ),
    (
        "REQUEST_TIMEOUT_SECONDS",
        "request_timeout",
        "Limit in seconds of one attempt of a Databricks call.",
    ),
    (
        "REQUEST_DEADLINE_SECONDS",
        "deadline",
        "Budget in seconds of a Databricks call, retries included (at most 115: the Apps proxy "
        "cuts requests at 120 s).",
    ),
)
"""Resilience settings: environment name, ResiliencePolicy field, meaning. Unset, each takes
the profile's default, which the example shows."""


def _resilience_lines(profile: str) -> list[str]:
    from appkit_adapters.resilience.policy import ResiliencePolicy

    policy = ResiliencePolicy.for_profile(profile)
    lines = [
        "# --- Resilience of calls to Databricks. Unset, each takes this profile's default,",
        "# --- shown commented out below.",
        "",
    ]
    for name, field, meaning in RESILIENCE:
        default = getattr(policy, field)
        shown = "no limit" if default is None else f"{default:g}"
        lines += [
            f"# {meaning} Default here: {shown}.",
            f"# {name}={'' if default is None else shown}",
            "",
        ]
    return lines


def _undocumented_lines() -> list[str]:
    """Any setting the app reads that this file does not explain yet, listed so none is hidden."""
    from appkit_web.settings import Settings, setting_name

    known = {s.name for s in SETTINGS} | {name for name, _, _ in RESILIENCE}
    extra = sorted(
        name for name in (setting_name(f) for f in Settings.model_fields) if name not in known
    )
    lines: list[str] = []
    for name in extra:
        lines += [f"# {name}: see appkit_web.settings.", f"# {name}=", ""]
    return lines


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
    lines += _resilience_lines(profile)
    lines += _undocumented_lines()
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
