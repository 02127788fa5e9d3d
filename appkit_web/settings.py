"""Application settings: one typed object read from the environment and ``config/.env.<profile>``.

The profile comes from ``APP_ENV`` (``dev``, ``test`` or ``prod``, default
``dev``). Values are taken, highest priority first, from the process
environment, then ``config/.env.<profile>`` (relative to the working
directory, or ``APPKIT_CONFIG_DIR``), parsed by python-dotenv as
pydantic-settings parses its env files (comments, quotes and ``export``
work). Any setting whose value is ``secret://scope/key`` is resolved through
Databricks secrets on the ``databricks`` backend (see
:mod:`appkit_web.secret_refs`) and refused on the others.

:func:`load_settings` either returns valid settings or raises
:class:`SettingsError` whose message is one line naming the first bad setting.
An unknown ``APPKIT_*`` name warns (:class:`UnknownSetting`) with the closest
known name; names other tools use that this toolkit does not support
(:data:`UNSUPPORTED`) are refused by name.
"""

from __future__ import annotations

import difflib
import os
import warnings
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import AliasChoices, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from appkit_domain.errors import InvalidInput
from appkit_domain.identifiers import check_identifier

AI_PROVIDER_NAMES = ("databricks", "anthropic", "openai", "gemini")


class SettingsError(InvalidInput):
    """A setting is missing or invalid; the message is one line that names it."""

    code = "bad_setting"


class UnknownSetting(UserWarning):
    """An ``APPKIT_*`` name no setting has (probably a typo); the message suggests the closest."""


SECRET_PREFIX = "secret://"  # noqa: S105 - a URL scheme, not a secret

OTHER_APPKIT_NAMES: frozenset[str] = frozenset(
    {"APPKIT_CONFIG_DIR", "APPKIT_CLI_RETRY_TIMEOUT", "APPKIT_WORKSPACE_TOKEN", "APPKIT_RUN_APP"}
)
"""``APPKIT_*`` names read outside :class:`Settings` (the CLI, the emulator): never warned about."""

UNSUPPORTED: Mapping[str, str] = {
    "CIRCUIT_BREAKER_ENABLED": "the circuit breaker is always on; tune "
    "CIRCUIT_BREAKER_FAILURE_THRESHOLD and CIRCUIT_BREAKER_TIMEOUT instead",
    "RETRY_EXPONENTIAL_BASE": "retry delays double (base 2, full jitter); tune "
    "RETRY_INITIAL_DELAY and RETRY_MAX_DELAY instead",
}
"""Settings other toolkits have that this one refuses by name, with what to use instead."""


class Profile(str, Enum):
    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class Backend(str, Enum):
    MEMORY = "memory"
    LOCAL = "local"
    DATABRICKS = "databricks"


class AtomicCommits(str, Enum):
    """Whether governed steps commit as one ``BEGIN ATOMIC`` block: ``auto`` probes the
    warehouse and the tables once at start-up; ``on`` requires it; ``off`` commits step by
    step (with leases, stamped writes and a recovery sweep)."""

    AUTO = "auto"
    ON = "on"
    OFF = "off"


class IdentityMode(str, Enum):
    """Where the caller's identity comes from.

    ``databricks-apps``: the Apps proxy headers. ``dev``: simulated proxy
    headers, loopback clients only. ``none``: no identity source; every
    identity header is refused and protected routes answer 401.
    """

    DATABRICKS_APPS = "databricks-apps"
    DEV = "dev"
    NONE = "none"


class Settings(BaseSettings):
    """Every setting a governed app reads. Field aliases are the environment names."""

    model_config = SettingsConfigDict(
        extra="ignore",
        case_sensitive=True,
        populate_by_name=True,
        frozen=True,
    )

    app_env: Profile = Field(Profile.DEV, alias="APP_ENV")
    backend: Backend | None = Field(None, alias="APPKIT_BACKEND")
    identity: IdentityMode | None = Field(None, alias="APPKIT_IDENTITY")
    data_dir: Path = Field(Path(".appkit"), alias="APPKIT_DATA_DIR")
    app_name: str | None = Field(None, alias="DATABRICKS_APP_NAME")
    audit_stream: str | None = Field(None, alias="APPKIT_AUDIT_STREAM")
    demo: bool = Field(False, alias="APPKIT_DEMO")
    atomic_commits: AtomicCommits = Field(AtomicCommits.AUTO, alias="APPKIT_ATOMIC_COMMITS")
    recovery_interval: float = Field(60.0, alias="APPKIT_RECOVERY_INTERVAL_SECONDS", ge=0)

    databricks_host: str | None = Field(None, alias="DATABRICKS_HOST")
    databricks_token: str | None = Field(None, alias="DATABRICKS_TOKEN", repr=False)
    databricks_client_id: str | None = Field(None, alias="DATABRICKS_CLIENT_ID")
    databricks_client_secret: str | None = Field(None, alias="DATABRICKS_CLIENT_SECRET", repr=False)
    databricks_profile: str | None = Field(None, alias="DATABRICKS_CONFIG_PROFILE")
    warehouse_id: str | None = Field(
        None,
        validation_alias=AliasChoices("DATABRICKS_WAREHOUSE_ID", "DATABRICKS_SQL_WAREHOUSE_ID"),
    )
    catalog: str = Field("demo", alias="DATABRICKS_CATALOG")
    schema_name: str = Field("governance", alias="DATABRICKS_SCHEMA")

    # Resilience of calls to Databricks (None keeps the profile's default; see
    # appkit_adapters.resilience.ResiliencePolicy.for_profile).
    retry_max_attempts: int | None = Field(None, alias="RETRY_MAX_ATTEMPTS", ge=1, le=20)
    retry_initial_delay: float | None = Field(None, alias="RETRY_INITIAL_DELAY", gt=0, le=60)
    retry_max_delay: float | None = Field(None, alias="RETRY_MAX_DELAY", gt=0, le=300)
    rate_limit_requests_per_second: float | None = Field(
        None, alias="RATE_LIMIT_REQUESTS_PER_SECOND", gt=0
    )
    rate_limit_burst: int | None = Field(None, alias="RATE_LIMIT_BURST", ge=1)
    circuit_breaker_failure_threshold: int | None = Field(
        None, alias="CIRCUIT_BREAKER_FAILURE_THRESHOLD", ge=1, le=1000
    )
    circuit_breaker_timeout: float | None = Field(
        None, alias="CIRCUIT_BREAKER_TIMEOUT", gt=0, le=3600
    )
    circuit_breaker_half_open_probes: int | None = Field(
        None, alias="CIRCUIT_BREAKER_HALF_OPEN_ATTEMPTS", ge=1, le=100
    )
    rate_limit_enabled: bool | None = Field(None, alias="RATE_LIMIT_ENABLED")
    request_timeout: float | None = Field(None, alias="REQUEST_TIMEOUT_SECONDS", gt=0, le=115)
    deadline: float | None = Field(None, alias="REQUEST_DEADLINE_SECONDS", gt=0, le=115)

    # Per-user limit on this app's own HTTP API.
    user_rate_limit_rps: float = Field(20.0, alias="APPKIT_USER_RATE_LIMIT_PER_SECOND", gt=0)
    user_rate_limit_burst: int = Field(40, alias="APPKIT_USER_RATE_LIMIT_BURST", ge=1)

    sql_row_limit: int = Field(1000, alias="APPKIT_SQL_ROW_LIMIT", ge=1, le=100_000)
    prometheus_metrics: bool = Field(False, alias="APPKIT_PROMETHEUS_METRICS")

    # Per-user limit on platform calls (jobs, secrets, serving, vector search, Genie),
    # one bucket per user and area, on top of the API limit above.
    platform_rate_limit_rps: float = Field(2.0, alias="APPKIT_PLATFORM_RATE_LIMIT_PER_SECOND", gt=0)
    platform_rate_limit_burst: int = Field(10, alias="APPKIT_PLATFORM_RATE_LIMIT_BURST", ge=1)

    # AI providers (Databricks serving first; the others need their optional extra).
    # Keys may be secret://scope/key references.
    ai_enabled: bool = Field(False, alias="AI_ENABLED")
    ai_provider: str = Field("databricks", alias="APPKIT_AI_PROVIDER")
    ai_serving_endpoint: str | None = Field(None, alias="APPKIT_AI_SERVING_ENDPOINT")
    anthropic_api_key: str | None = Field(None, alias="ANTHROPIC_API_KEY", repr=False)
    anthropic_model: str = Field("claude-sonnet-4-5", alias="ANTHROPIC_MODEL")
    anthropic_base_url: str | None = Field(None, alias="ANTHROPIC_BASE_URL")
    openai_api_key: str | None = Field(None, alias="OPENAI_API_KEY", repr=False)
    openai_model: str = Field("gpt-4o-mini", alias="OPENAI_MODEL")
    openai_base_url: str | None = Field(None, alias="OPENAI_BASE_URL")
    google_api_key: str | None = Field(None, alias="GOOGLE_API_KEY", repr=False)
    google_model: str = Field("gemini-2.0-flash", alias="GOOGLE_MODEL")
    google_base_url: str | None = Field(None, alias="GOOGLE_BASE_URL")
    log_level: str = Field("INFO", alias="APPKIT_LOG_LEVEL")

    @model_validator(mode="after")
    def _check_combination(self) -> Settings:
        for name, value in (
            ("DATABRICKS_CATALOG", self.catalog),
            ("DATABRICKS_SCHEMA", self.schema_name),
        ):
            try:
                check_identifier(value, name)
            except InvalidInput as exc:
                raise ValueError(str(exc)) from None
        initial, most = self.retry_initial_delay, self.retry_max_delay
        if initial is not None and most is not None and initial > most:
            raise ValueError("RETRY_INITIAL_DELAY must not exceed RETRY_MAX_DELAY")
        if self.ai_provider not in AI_PROVIDER_NAMES:
            raise ValueError(
                "APPKIT_AI_PROVIDER must be databricks, anthropic, openai or gemini "
                f"(got {self.ai_provider!r})"
            )
        if self.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("APPKIT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        if self.app_env is Profile.PROD and self.effective_identity is IdentityMode.DEV:
            raise ValueError("APPKIT_IDENTITY=dev is refused in the prod profile")
        if self.effective_backend is not Backend.DATABRICKS:
            for name in type(self).model_fields:
                value = getattr(self, name)
                if isinstance(value, str) and value.startswith(SECRET_PREFIX):
                    raise ValueError(
                        f"{setting_name(name)}: secret:// references are resolved only on the "
                        f"databricks backend (this is {self.effective_backend.value})"
                    )
        if self.effective_backend is Backend.DATABRICKS and not self.databricks_profile:
            if not self.databricks_host:
                raise ValueError("DATABRICKS_HOST is required on the databricks backend")
            has_m2m = bool(self.databricks_client_id and self.databricks_client_secret)
            if not (self.databricks_token or has_m2m):
                raise ValueError(
                    "DATABRICKS_TOKEN (or DATABRICKS_CLIENT_ID with DATABRICKS_CLIENT_SECRET) "
                    "is required on the databricks backend"
                )
        if self.effective_backend is Backend.DATABRICKS and not self.warehouse_id:
            raise ValueError("DATABRICKS_WAREHOUSE_ID is required on the databricks backend")
        return self

    @property
    def effective_backend(self) -> Backend:
        """The backend in force: the setting, else ``databricks`` when a host is set, else ``local``."""
        if self.backend is not None:
            return self.backend
        return Backend.DATABRICKS if self.databricks_host else Backend.LOCAL

    @property
    def effective_identity(self) -> IdentityMode:
        """The identity mode: the setting, else Apps headers inside the Apps runtime,
        else ``dev`` in the dev profile and ``none`` elsewhere."""
        if self.identity is not None:
            return self.identity
        if self.app_name:
            return IdentityMode.DATABRICKS_APPS
        return IdentityMode.DEV if self.app_env is Profile.DEV else IdentityMode.NONE

    @property
    def governance_schema(self) -> str:
        return f"{self.catalog}.{self.schema_name}"

    @property
    def stream_name(self) -> str:
        """This instance's audit stream: configured, else the app name, else ``appkit``."""
        return self.audit_stream or self.app_name or "appkit"


def setting_name(field_name: str) -> str:
    field = Settings.model_fields.get(field_name)
    if field is None:
        return field_name
    if field.alias:
        return field.alias
    choices = field.validation_alias
    if isinstance(choices, AliasChoices):
        return str(choices.choices[0])
    return field_name


def _one_line(exc: ValidationError) -> str:
    error = exc.errors()[0]
    location = error.get("loc", ())
    name = setting_name(str(location[0])) if location else ""
    message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    value = error.get("input")
    if name and not isinstance(value, dict):
        shown = "" if "secret" in name.lower() or "token" in name.lower() else f" (got {value!r})"
        return f"setting {name}: {message}{shown}"
    return f"setting {message}" if message.split()[0].isupper() else f"settings: {message}"


def config_dir() -> Path:
    return Path(os.environ.get("APPKIT_CONFIG_DIR", "config"))


def settings_file(env_file_dir: Path | None = None, profile: str = "dev") -> Path:
    """The settings file of ``profile``: ``config/.env.<profile>`` (or under ``APPKIT_CONFIG_DIR``)."""
    return (env_file_dir or config_dir()) / f".env.{profile}"


def read_settings_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines of a settings file (python-dotenv's format); ``{}`` when absent."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for name, value in dotenv_values(path, encoding="utf-8").items():
        if value is None:
            raise SettingsError(f"settings file {path}: {name} has no value (expected NAME=value)")
        values[name] = value
    return values


def load_settings(
    environ: dict[str, str] | None = None, *, env_file_dir: Path | None = None, **overrides: Any
) -> Settings:
    """Read the settings for the profile named by ``APP_ENV``.

    ``environ`` replaces the process environment when given (tests);
    ``overrides`` are field values (by environment name) that win over both.
    Raises :class:`SettingsError` with one line naming the bad setting; warns
    :class:`UnknownSetting` for each unknown ``APPKIT_*`` name.
    """
    env = dict(os.environ if environ is None else environ)
    profile_name = env.get("APP_ENV", overrides.get("APP_ENV", "dev"))
    try:
        profile = Profile(profile_name)
    except ValueError:
        raise SettingsError(
            f"setting APP_ENV: must be dev, test or prod (got {profile_name!r})"
        ) from None
    env_file = settings_file(env_file_dir, profile.value)
    from_file = read_settings_file(env_file)
    values: dict[str, Any] = {**from_file, **env, **overrides}
    known = _known_names()
    _check_names(from_file, known, f" in {env_file}")
    _check_names(env, known, "")
    try:
        return Settings.model_validate({k: v for k, v in values.items() if k in known})
    except ValidationError as exc:
        raise SettingsError(_one_line(exc)) from None


def _check_names(values: Mapping[str, Any], known: set[str], where: str) -> None:
    for name in values:
        if name in UNSUPPORTED:
            raise SettingsError(f"setting {name}{where} is not supported: {UNSUPPORTED[name]}")
        if name.startswith("APPKIT_") and name not in known and name not in OTHER_APPKIT_NAMES:
            close = difflib.get_close_matches(name, sorted(known | OTHER_APPKIT_NAMES), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            warnings.warn(f"unknown setting {name}{where}{hint}", UnknownSetting, stacklevel=3)


def _known_names() -> set[str]:
    names: set[str] = set()
    for field in Settings.model_fields.values():
        if field.alias:
            names.add(field.alias)
        if isinstance(field.validation_alias, AliasChoices):
            names.update(str(choice) for choice in field.validation_alias.choices)
    return names
