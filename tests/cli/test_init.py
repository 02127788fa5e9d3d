"""``init`` writes one explained example settings file per profile and never clobbers silently."""

from __future__ import annotations

from pathlib import Path

from appkit_web.cli.init import PROFILES, SETTINGS

SURFACE_SETTINGS = [
    "APP_ENV",
    "APPKIT_BACKEND",
    "APPKIT_IDENTITY",
    "APPKIT_DATA_DIR",
    "DATABRICKS_HOST",
    "DATABRICKS_TOKEN",
    "DATABRICKS_CLIENT_ID",
    "DATABRICKS_CLIENT_SECRET",
    "DATABRICKS_WAREHOUSE_ID",
    "DATABRICKS_CATALOG",
    "DATABRICKS_SCHEMA",
    "RETRY_MAX_ATTEMPTS",
    "RETRY_INITIAL_DELAY",
    "RETRY_MAX_DELAY",
    "RATE_LIMIT_REQUESTS_PER_SECOND",
    "RATE_LIMIT_BURST",
    "CIRCUIT_BREAKER_FAILURE_THRESHOLD",
    "CIRCUIT_BREAKER_TIMEOUT",
]


def test_init_writes_an_example_per_profile_explaining_every_setting(cli, tmp_path: Path) -> None:
    result = cli("init")
    assert result.exit_code == 0, result.output
    for profile in PROFILES:
        text = (tmp_path / "config" / f".env.{profile}.example").read_text()
        assert f"APP_ENV={profile}" in text
        for name in SURFACE_SETTINGS:
            assert f"{name}=" in text, (profile, name)
        for setting in SETTINGS:
            assert f"# {setting.meaning}" in text


def test_example_values_load_as_valid_settings(cli, tmp_path: Path) -> None:
    from appkit_web.settings import load_settings

    cli("init")
    for profile in ("dev", "test"):
        example = tmp_path / "config" / f".env.{profile}.example"
        target = tmp_path / "config" / f".env.{profile}"
        target.write_text(example.read_text())
        settings = load_settings({"APP_ENV": profile}, env_file_dir=tmp_path / "config")
        assert settings.app_env.value == profile


def test_prod_example_never_carries_a_secret_value(cli, tmp_path: Path) -> None:
    cli("init")
    text = (tmp_path / "config" / ".env.prod.example").read_text()
    assert "# DATABRICKS_TOKEN=" in text
    assert "# DATABRICKS_CLIENT_SECRET=" in text
    assert "APPKIT_IDENTITY=databricks-apps" in text


def test_init_refuses_to_overwrite_without_force(cli, tmp_path: Path) -> None:
    cli("init")
    marker = tmp_path / "config" / ".env.dev.example"
    marker.write_text("# mine\n")
    refused = cli("init")
    assert refused.exit_code == 2
    assert "--force" in refused.output
    assert marker.read_text() == "# mine\n"
    forced = cli("init", "--force")
    assert forced.exit_code == 0
    assert "APP_ENV=dev" in marker.read_text()


def test_every_setting_the_app_reads_appears_in_each_example() -> None:
    from appkit_web.cli.init import render_example
    from appkit_web.settings import Settings, setting_name

    for profile in PROFILES:
        text = render_example(profile)
        for field in Settings.model_fields:
            assert f"{setting_name(field)}=" in text, (profile, field)


def test_resilience_defaults_shown_are_the_profile_defaults() -> None:
    from appkit_web.cli.init import render_example

    assert "# RETRY_MAX_ATTEMPTS=2\n" in render_example("dev")
    assert "# RETRY_INITIAL_DELAY=0.01\n" in render_example("test")
