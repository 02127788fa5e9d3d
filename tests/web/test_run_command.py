"""``lakehouse-appkit run``: where it listens, which backend it serves, bad settings."""

from __future__ import annotations

import socket
from pathlib import Path

from typer.testing import CliRunner

from appkit_web.cli import app
from appkit_web.cli.app_target import SAMPLE_APP, choose_target, load_asgi_app, target_in_command
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


def _run(tmp_path: Path, *args: str, **env: str):
    return CliRunner().invoke(
        app,
        ["run", *args],
        env={
            **CLEAN,
            "APPKIT_RUN_APP": None,
            "APPKIT_CONFIG_DIR": str(tmp_path),
            **env,
        },
    )


def test_a_port_out_of_range_is_a_usage_error_before_anything_is_served(tmp_path: Path):
    result = _run(tmp_path, "--port", "99999")
    assert result.exit_code == 2
    assert result.output.strip() == "error: run: --port must be a port from 1 to 65535 (got 99999)"
    result = _run(tmp_path, DATABRICKS_APP_PORT="0")
    assert result.exit_code == 2 and "DATABRICKS_APP_PORT must be a port" in result.output


def test_a_port_in_use_fails_with_exit_1_and_says_so(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run(tmp_path, "--port", str(port), "--backend", "memory")
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: run: port {port} on 127.0.0.1 is in use by another program; stop it or pass --port"
    )
    assert "serving" not in result.output


def test_run_honours_the_backend_of_the_settings_file():
    plan = plan_run(None, None, None, False, {}, {"APPKIT_BACKEND": "databricks"})
    assert "APPKIT_BACKEND" not in plan.environ
    plan = plan_run(None, None, None, False, {}, {"DATABRICKS_HOST": "https://x"})
    assert "APPKIT_BACKEND" not in plan.environ


def test_run_reads_the_backend_from_config_env_dev(tmp_path: Path):
    (tmp_path / ".env.dev").write_text("APPKIT_BACKEND=databricks  # the emulator\n")
    result = _run(tmp_path, "--port", "1")
    # the file's backend is the one validated: it needs DATABRICKS_HOST
    assert result.exit_code == 2 and "DATABRICKS_HOST" in result.output


def test_a_misspelt_setting_is_reported_as_a_warning_line(tmp_path: Path):
    (tmp_path / ".env.dev").write_text("APPKIT_BACKNED=memory\n")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = _run(tmp_path, "--port", str(taken.getsockname()[1]), "--backend", "memory")
    assert "warning: unknown setting APPKIT_BACKNED in" in result.output
    assert "(did you mean APPKIT_BACKEND?)" in result.output


def test_an_app_option_that_is_not_module_colon_attribute_is_a_usage_error(tmp_path: Path):
    result = _run(tmp_path, "--app", "no-colon")
    assert result.exit_code == 2 and "module:attribute" in result.output


def test_the_app_yaml_command_names_what_run_serves(tmp_path: Path):
    assert target_in_command(["uvicorn", "pkg.main:build_app", "--factory"]) == "pkg.main:build_app"
    assert target_in_command(["lakehouse-appkit", "run", "--app", "pkg.main:app"]) == "pkg.main:app"
    assert target_in_command(["python", "app.py"]) is None
    (tmp_path / "app.yaml").write_text("command: [uvicorn, my_pkg.main:build_app, --factory]\n")
    target = choose_target(None, tmp_path)
    assert (target.spec, target.source) == ("my_pkg.main:build_app", str(tmp_path / "app.yaml"))
    assert choose_target("other.mod:app", tmp_path).spec == "other.mod:app"
    assert choose_target(None, tmp_path / "elsewhere").spec == SAMPLE_APP


def test_a_factory_or_an_app_object_is_served(tmp_path: Path, monkeypatch):
    package = tmp_path / "proj_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "main.py").write_text(
        "from fastapi import FastAPI\n"
        "app = FastAPI(title='object')\n"
        "def build_app():\n    return FastAPI(title='factory')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load_asgi_app("proj_pkg.main:app", tmp_path).title == "object"
    assert load_asgi_app("proj_pkg.main:build_app", tmp_path).title == "factory"
