"""A generated project installs, passes its tests and runs from its own README, in a fresh venv.

Nothing from this checkout's environment leaks in: the README's commands run
in a new virtual environment made with the system ``python3``, which installs
the toolkit from the wheel ``create`` wrote into ``vendor/`` and every
dependency at its pinned version from the package index. Then
``lakehouse-appkit run`` in the project serves the project's own app, logging
JSON lines with request ids.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SYSTEM_PYTHON = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")


def _readme_commands(readme: str, heading: str) -> list[str]:
    section = readme.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return [line[4:] for line in section.splitlines() if line.startswith("    ")]


def _clean_env(home: Path) -> dict[str, str]:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", str(home))}
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONFIG_FILE",
                 "PIP_CACHE_DIR", "LANG"):  # fmt: skip
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_project_installs_tests_and_runs_from_its_readme(tmp_path: Path) -> None:
    assert SYSTEM_PYTHON, "no system python3 to make a fresh virtual environment with"
    project = tmp_path / "desk-admin"
    made = subprocess.run(
        [str(Path(sys.executable).with_name("lakehouse-appkit")), "create", "desk-admin",
         "--template", "admin", "--dir", str(project)],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    wheel = next((project / "vendor").glob("lakehouse_appkit-*.whl"))
    requirements = (project / "requirements.txt").read_text().splitlines()
    pins = [line for line in requirements if line and not line.startswith("#")]
    assert pins[0] == f"./vendor/{wheel.name}"
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!-]+", pin) for pin in pins[1:]), pins
    assert any(pin.startswith("fastapi==") for pin in pins)

    readme = (project / "README.md").read_text()
    env = _clean_env(tmp_path)
    for command in _readme_commands(readme, "Set up and run the tests"):
        done = subprocess.run(
            command.replace("python3 ", f"{SYSTEM_PYTHON} ", 1), shell=True, cwd=project, env=env,
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert " passed" in done.stdout

    run_line = _readme_commands(readme, "Run locally")[0]
    assert run_line == ".venv/bin/lakehouse-appkit run"
    port = _free_port()
    log = (tmp_path / "run.log").open("wb")
    server = subprocess.Popen(
        [str(project / ".venv/bin/lakehouse-appkit"), "run", "--port", str(port)],
        cwd=project, env={**env, "APPKIT_DATA_DIR": str(tmp_path / "data")}, stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, server, tmp_path / "run.log")
        with urllib.request.urlopen(f"{base}/openapi.json", timeout=10) as response:
            assert json.load(response)["info"]["title"] == "Governance Admin"
        request = urllib.request.Request(
            f"{base}/api/me",
            headers={"X-Forwarded-Email": "alice@example.com", "X-Request-Id": "readme-1"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response)["roles"] == ["maker"]
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    lines = (tmp_path / "run.log").read_text().splitlines()
    assert "serving desk_admin.main:build_app" in lines[0]
    access = [json.loads(line) for line in lines if line.startswith("{") and "readme-1" in line]
    assert access and access[0]["logger"] == "appkit_web.access"
    assert access[0]["principal"] == "dev:alice@example.com"

    # the installed (not editable) toolkit writes its wheel for a new project too
    again = subprocess.run(
        [str(project / ".venv/bin/lakehouse-appkit"), "create", "second-app", "-t", "api",
         "--dir", str(tmp_path / "second")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    repacked = next((tmp_path / "second" / "vendor").glob("*.whl"))
    with zipfile.ZipFile(repacked) as archive:
        names = set(archive.namelist())
        assert "appkit_web/console/templates/base.html" in names
        assert any(n.endswith(".dist-info/RECORD") for n in names)
        assert archive.testzip() is None
    target = tmp_path / "unpacked"
    installed = subprocess.run(
        [str(project / ".venv/bin/pip"), "install", "-q", "--no-deps", "--target", str(target),
         str(repacked)], env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    assert (target / "appkit_web" / "console" / "static" / "console.css").is_file()


def _wait(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(log.read_text()[-3000:])
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the project's app did not start within 60 s")
