"""Settings: profiles, names, one-line errors naming the setting, secret references."""

from __future__ import annotations

from pathlib import Path

import pytest

from appkit_web.secret_refs import resolve_secret_refs
from appkit_web.settings import (
    Backend,
    IdentityMode,
    Profile,
    SettingsError,
    UnknownSetting,
    load_settings,
)

DATABRICKS = {
    "APPKIT_BACKEND": "databricks",
    "DATABRICKS_HOST": "https://example.cloud.databricks.com",
    "DATABRICKS_TOKEN": "dapi0123456789abcdef0123456789abcdef",
    "DATABRICKS_WAREHOUSE_ID": "abc123",
}


def test_defaults_serve_the_dev_profile_on_the_local_backend_with_dev_identity(tmp_path: Path):
    settings = load_settings({}, env_file_dir=tmp_path)
    assert settings.app_env is Profile.DEV
    assert settings.effective_backend is Backend.LOCAL
    assert settings.effective_identity is IdentityMode.DEV
    assert settings.data_dir == Path(".appkit")


def test_profile_file_is_read_and_the_environment_wins(tmp_path: Path):
    (tmp_path / ".env.test").write_text(
        "# comment\nAPPKIT_BACKEND=memory\nRATE_LIMIT_BURST=7\nDATABRICKS_CATALOG='cat'\n"
    )
    settings = load_settings({"APP_ENV": "test", "RATE_LIMIT_BURST": "9"}, env_file_dir=tmp_path)
    assert settings.effective_backend is Backend.MEMORY
    assert settings.rate_limit_burst == 9
    assert settings.catalog == "cat"


def test_warehouse_id_is_also_read_as_sql_warehouse_id(tmp_path: Path):
    environ = {**DATABRICKS}
    del environ["DATABRICKS_WAREHOUSE_ID"]
    environ["DATABRICKS_SQL_WAREHOUSE_ID"] = "wh-from-apps-resource"
    assert load_settings(environ, env_file_dir=tmp_path).warehouse_id == "wh-from-apps-resource"


def test_apps_runtime_turns_on_databricks_apps_identity(tmp_path: Path):
    settings = load_settings({"DATABRICKS_APP_NAME": "risk-app"}, env_file_dir=tmp_path)
    assert settings.effective_identity is IdentityMode.DATABRICKS_APPS
    assert settings.stream_name == "risk-app"


def test_outside_dev_profile_no_identity_source_is_assumed(tmp_path: Path):
    settings = load_settings({"APP_ENV": "test"}, env_file_dir=tmp_path)
    assert settings.effective_identity is IdentityMode.NONE


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"APP_ENV": "staging"}, "APP_ENV"),
        ({"APPKIT_BACKEND": "postgres"}, "APPKIT_BACKEND"),
        ({"APPKIT_IDENTITY": "trust-me"}, "APPKIT_IDENTITY"),
        ({"RETRY_MAX_ATTEMPTS": "many"}, "RETRY_MAX_ATTEMPTS"),
        ({"RETRY_MAX_ATTEMPTS": "0"}, "RETRY_MAX_ATTEMPTS"),
        ({"RATE_LIMIT_REQUESTS_PER_SECOND": "-1"}, "RATE_LIMIT_REQUESTS_PER_SECOND"),
        ({"CIRCUIT_BREAKER_TIMEOUT": "soon"}, "CIRCUIT_BREAKER_TIMEOUT"),
        ({"DATABRICKS_CATALOG": "bad-name; DROP"}, "DATABRICKS_CATALOG"),
        ({"RETRY_INITIAL_DELAY": "5", "RETRY_MAX_DELAY": "1"}, "RETRY_INITIAL_DELAY"),
        ({"APPKIT_BACKEND": "databricks"}, "DATABRICKS_HOST"),
        ({**DATABRICKS, "DATABRICKS_WAREHOUSE_ID": ""}, "DATABRICKS_WAREHOUSE_ID"),
        ({**DATABRICKS, "DATABRICKS_TOKEN": ""}, "DATABRICKS_TOKEN"),
        ({"APP_ENV": "prod", "APPKIT_IDENTITY": "dev"}, "APPKIT_IDENTITY"),
    ],
)
def test_a_bad_or_missing_setting_stops_start_up_with_one_line_naming_it(
    tmp_path: Path, environ: dict[str, str], named: str
):
    with pytest.raises(SettingsError) as caught:
        load_settings(environ, env_file_dir=tmp_path)
    message = str(caught.value)
    assert named in message
    assert "\n" not in message


def test_prod_profile_refuses_dev_identity(tmp_path: Path):
    with pytest.raises(SettingsError, match="APPKIT_IDENTITY"):
        load_settings({"APP_ENV": "prod", "APPKIT_IDENTITY": "dev"}, env_file_dir=tmp_path)


def test_a_token_is_never_echoed_in_a_settings_error(tmp_path: Path):
    secret = "dapi0123456789abcdef0123456789abcdef"
    with pytest.raises(SettingsError) as caught:
        load_settings(
            {**DATABRICKS, "DATABRICKS_TOKEN": secret, "DATABRICKS_HOST": ""}, env_file_dir=tmp_path
        )
    assert secret not in str(caught.value)


def test_secret_references_are_resolved_on_the_databricks_backend(tmp_path: Path):
    settings = load_settings(
        {**DATABRICKS, "DATABRICKS_CLIENT_SECRET": "secret://appkit/sp-secret"},
        env_file_dir=tmp_path,
    )
    reads: list[tuple[str, str]] = []

    def reader(scope: str, key: str) -> str:
        reads.append((scope, key))
        return "s3cr3t-value"

    resolved, values = resolve_secret_refs(settings, reader)
    assert resolved.databricks_client_secret == "s3cr3t-value"
    assert reads == [("appkit", "sp-secret")]
    assert values == ["s3cr3t-value"]


@pytest.mark.parametrize("backend", ["local", "memory"])
def test_secret_reference_is_refused_where_it_cannot_be_resolved(tmp_path: Path, backend: str):
    with pytest.raises(SettingsError, match=r"DATABRICKS_CLIENT_SECRET.*databricks backend"):
        load_settings(
            {"APPKIT_BACKEND": backend, "DATABRICKS_CLIENT_SECRET": "secret://appkit/k"},
            env_file_dir=tmp_path,
        )


def test_unreadable_secret_names_the_setting_without_the_error_text(tmp_path: Path):
    settings = load_settings(
        {**DATABRICKS, "DATABRICKS_CLIENT_SECRET": "secret://appkit/missing"},
        env_file_dir=tmp_path,
    )

    def reader(scope: str, key: str) -> str:
        raise RuntimeError("RESOURCE_DOES_NOT_EXIST with dapi0123456789abcdef0123456789abcdef")

    with pytest.raises(SettingsError) as caught:
        resolve_secret_refs(settings, reader)
    assert "DATABRICKS_CLIENT_SECRET" in str(caught.value)
    assert "dapi" not in str(caught.value)


def test_shipped_example_files_load_for_their_profiles():
    root = Path(__file__).resolve().parents[2] / "config"
    for profile in ("dev", "test"):
        text = (root / f".env.{profile}.example").read_text()
        names = {line.split("=", 1)[0] for line in text.splitlines() if line and line[0] != "#"}
        assert "APP_ENV" in names
    assert "APPKIT_IDENTITY=databricks-apps" in (root / ".env.prod.example").read_text()


def test_a_comment_after_a_value_in_a_settings_file_is_ignored(tmp_path: Path):
    (tmp_path / ".env.dev").write_text(
        "APPKIT_LOG_LEVEL=INFO # chatty enough\n"
        "export APPKIT_SQL_ROW_LIMIT=50  # per query\n"
        "APPKIT_AUDIT_STREAM='stream # one'\n"
    )
    settings = load_settings({}, env_file_dir=tmp_path)
    assert settings.log_level == "INFO"
    assert settings.sql_row_limit == 50
    assert settings.audit_stream == "stream # one"


def test_a_name_without_a_value_in_a_settings_file_is_refused(tmp_path: Path):
    (tmp_path / ".env.dev").write_text("APPKIT_LOG_LEVEL\n")
    with pytest.raises(SettingsError, match="APPKIT_LOG_LEVEL has no value"):
        load_settings({}, env_file_dir=tmp_path)


def test_a_misspelt_appkit_setting_warns_with_the_closest_name(tmp_path: Path):
    (tmp_path / ".env.dev").write_text("APPKIT_BACKNED=memory\n")
    with pytest.warns(UnknownSetting, match=r"APPKIT_BACKNED in .*did you mean APPKIT_BACKEND\?"):
        load_settings({}, env_file_dir=tmp_path)
    (tmp_path / ".env.dev").unlink()
    with pytest.warns(UnknownSetting, match=r"APPKIT_IDENTITTY \(did you mean APPKIT_IDENTITY\?"):
        load_settings({"APPKIT_IDENTITTY": "dev"}, env_file_dir=tmp_path)


def test_names_read_outside_the_settings_do_not_warn(tmp_path: Path, recwarn):
    load_settings({"APPKIT_CONFIG_DIR": str(tmp_path), "APPKIT_CLI_RETRY_TIMEOUT": "5"},
                  env_file_dir=tmp_path)  # fmt: skip
    assert not [w for w in recwarn if w.category is UnknownSetting]


@pytest.mark.parametrize("name", ["CIRCUIT_BREAKER_ENABLED", "RETRY_EXPONENTIAL_BASE"])
def test_settings_this_toolkit_does_not_have_are_refused_by_name(tmp_path: Path, name: str):
    with pytest.raises(SettingsError, match=f"setting {name} is not supported: .*instead"):
        load_settings({name: "2"}, env_file_dir=tmp_path)


def test_rate_limit_switch_and_half_open_attempts_reach_the_resilience_policy(tmp_path: Path):
    from appkit_web.databricks_backend import resilience_policy

    off = load_settings({**DATABRICKS, "APP_ENV": "prod", "APPKIT_IDENTITY": "databricks-apps",
                         "RATE_LIMIT_ENABLED": "false",
                         "CIRCUIT_BREAKER_HALF_OPEN_ATTEMPTS": "3"}, env_file_dir=tmp_path)  # fmt: skip
    assert resilience_policy(off).rate_limit_requests_per_second is None
    assert resilience_policy(off).circuit_breaker_half_open_probes == 3
    on = load_settings({**DATABRICKS, "RATE_LIMIT_ENABLED": "true"}, env_file_dir=tmp_path)
    assert resilience_policy(on).rate_limit_requests_per_second == 50.0
    with pytest.raises(SettingsError, match="RATE_LIMIT_ENABLED"):
        load_settings({"RATE_LIMIT_ENABLED": "maybe"}, env_file_dir=tmp_path)


def test_a_databricks_profile_stands_in_for_host_and_token(tmp_path: Path):
    settings = load_settings(
        {"APPKIT_BACKEND": "databricks", "DATABRICKS_CONFIG_PROFILE": "dev-ws",
         "DATABRICKS_WAREHOUSE_ID": "abc"}, env_file_dir=tmp_path,
    )  # fmt: skip
    assert settings.databricks_profile == "dev-ws" and settings.databricks_host is None
    with pytest.raises(SettingsError, match="DATABRICKS_WAREHOUSE_ID"):
        load_settings({"APPKIT_BACKEND": "databricks", "DATABRICKS_CONFIG_PROFILE": "dev-ws"},
                      env_file_dir=tmp_path)  # fmt: skip
