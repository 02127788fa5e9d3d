"""Start-up stays light: neither ``--version``, ``run`` nor the app on the local or memory
backend imports databricks-sdk, nor the OpenTelemetry SDK while telemetry is off (timings are
measured in bench/bench_startup.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROBE = (
    "import sys; print(sorted(m for m in sys.modules "
    "if m.startswith(('databricks', 'opentelemetry.sdk', 'prometheus_client'))))"
)


def _imported(code: str, tmp_path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code + "\n" + PROBE],
        capture_output=True, text=True, cwd=tmp_path, check=True,
        env={"PATH": "/usr/bin:/bin", "APPKIT_CONFIG_DIR": str(tmp_path)},
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("backend", ["memory", "local"])
def test_building_the_app_on_an_embedded_backend_never_imports_databricks_sdk(
    backend: str, tmp_path: Path
) -> None:
    code = (
        "from appkit_web.settings import load_settings\n"
        "from appkit_web.app import create_app\n"
        f"create_app(load_settings({{'APPKIT_BACKEND': {backend!r}, "
        f"'APPKIT_DATA_DIR': {str(tmp_path)!r}}}))"
    )
    assert _imported(code, tmp_path) == "[]"


@pytest.mark.parametrize("argv", [["--version"], ["run", "--help"]])
def test_the_cli_paths_of_version_and_run_never_import_databricks_sdk(
    argv: list[str], tmp_path: Path
) -> None:
    code = (
        f"import sys\nsys.argv = ['lakehouse-appkit', *{argv!r}]\n"
        "from appkit_web.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert _imported(code, tmp_path) == "[]"
