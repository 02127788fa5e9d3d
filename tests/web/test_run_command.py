"""``lakehouse-appkit run``: where it listens, which backend it serves, bad settings."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from appkit_web.cli import app
from appkit_web.cli.run import plan_run

# Names `run` may set in the process environment: listed so the runner restores them.
CLEAN: dict[str, str | None] = {"APPKIT_BACKEND": None, "APPKIT_DEMO": None}


def test_without_settings_it_serves_the_embedded_backend_on_loopback_8000():
    plan = plan_run(None, None, None, False, {})
    assert (plan.host, plan.port) == ("127.0.0.1", 8000)
    assert plan.environ == {"APPKIT_BACKEND": "local"}


def test_inside_databricks_apps_it_binds_all_interfaces_on_the_apps_port():
    plan = plan_run(None, None, None, False, {"DATABRICKS_APP_PORT": "8080",
                                             "DATABRICKS_HOST": "https://x"})  # fmt: skip
    assert (plan.host, plan.port) == ("0.0.0.0", 8080)
    assert "APPKIT_BACKEND" not in plan.environ


def test_options_win_and_demo_asks_for_seeding():
    plan = plan_run("127.0.0.2", 9000, "memory", True, {"DATABRICKS_APP_PORT": "8080"})
    assert (plan.host, plan.port) == ("127.0.0.2", 9000)
    assert plan.environ == {"APPKIT_BACKEND": "memory", "APPKIT_DEMO": "1"}


def test_a_bad_setting_stops_run_with_one_line_naming_it(tmp_path: Path):
    result = CliRunner().invoke(
        app,
        ["run", "--port", "1"],
        env={**CLEAN, "APPKIT_CONFIG_DIR": str(tmp_path), "RETRY_MAX_ATTEMPTS": "many"},
    )
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [lines[0]] and "RETRY_MAX_ATTEMPTS" in lines[0]


def test_prod_profile_refuses_dev_identity_at_run(tmp_path: Path):
    result = CliRunner().invoke(
        app,
        ["run"],
        env={
            **CLEAN,
            "APPKIT_CONFIG_DIR": str(tmp_path),
            "APP_ENV": "prod",
            "APPKIT_IDENTITY": "dev",
        },
    )
    assert result.exit_code == 2
    assert "APPKIT_IDENTITY" in result.output
