"""``add``: a router, a workflow or the console joins a generated project, tested and lint-clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_create import _clean_env


@pytest.fixture
def project(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "ledger-api"
    made = cli("create", "ledger-api", "-t", "api", "--dir", str(target),
               "--toolkit-spec", "lakehouse-appkit==0.1.0")  # fmt: skip
    assert made.exit_code == 0, made.output
    monkeypatch.chdir(target)
    return target


def _checks_pass(project: Path) -> str:
    ruff = Path(sys.executable).parent / "ruff"
    for args in (["check", "."], ["format", "--check", "."]):
        linted = subprocess.run([str(ruff), *args], cwd=project, capture_output=True, text=True)
        assert linted.returncode == 0, linted.stdout + linted.stderr
    tested = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project,
        env=_clean_env(), capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert tested.returncode == 0, tested.stdout + tested.stderr
    return tested.stdout


def test_added_components_are_wired_in_and_their_tests_pass(cli, project: Path) -> None:
    for args in (("router", "reports"), ("router", "exports"), ("workflow", "budget_change")):
        result = cli("add", *args)
        assert result.exit_code == 0, result.output
    routers = (project / "ledger_api" / "routers" / "__init__.py").read_text()
    assert "from ledger_api.routers import exports, reports" in routers
    assert "ROUTERS: list[APIRouter] = [exports.router, reports.router]" in routers
    workflows = (project / "ledger_api" / "workflows" / "__init__.py").read_text()
    assert "WORKFLOWS: list[ModuleType] = [budget_change]" in workflows
    assert (project / "tests" / "test_budget_change_workflow.py").is_file()
    output = _checks_pass(project)
    assert "passed" in output


def test_add_console_turns_it_on_once(cli, project: Path) -> None:
    main = project / "ledger_api" / "main.py"
    assert "CONSOLE = False" in main.read_text()
    first = cli("add", "console")
    assert first.exit_code == 0, first.output
    assert (
        "CONSOLE = True" in main.read_text() and (project / "tests" / "test_console.py").is_file()
    )
    again = cli("add", "console")
    assert again.exit_code == 0 and "on already" in again.stderr
    _checks_pass(project)


def test_add_refuses_bad_names_existing_modules_and_folders_without_a_project(
    cli, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("Reports", "class", "9lives", "main", "a" * 30):
        result = cli("add", "router", name)
        assert result.exit_code == 2, (name, result.output)
    assert cli("add", "router", "reports").exit_code == 0
    repeated = cli("add", "router", "reports")
    assert repeated.exit_code == 1 and "exists already" in repeated.stderr
    elsewhere = tmp_path / "empty"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    outside = cli("add", "router", "x")
    assert outside.exit_code == 2 and "no app.yaml here" in outside.stderr
