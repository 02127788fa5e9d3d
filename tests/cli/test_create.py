"""``create``: each template yields a project whose own tests pass and whose config validates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from appkit_web.bundle import ConfigProblem, load_project, validate_app_yaml, validate_bundle
from appkit_web.cli.create import TEMPLATES

TEMPLATE_NAMES = sorted(TEMPLATES)


def _create(cli, tmp_path: Path, template: str, name: str = "risk-app") -> Path:
    target = tmp_path / name
    result = cli("create", name, "--template", template, "--dir", str(target))
    assert result.exit_code == 0, result.output
    return target


def _clean_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABRICKS_", "APPKIT_", "APP_ENV", "PYTEST_", "BUNDLE_VAR_"))
    }


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_generated_project_tests_pass_and_its_config_validates(cli, tmp_path, template) -> None:
    project = _create(cli, tmp_path, template)
    package = project / "risk_app"
    assert (package / "main.py").is_file() and (package / "governance.py").is_file()
    for name in ("README.md", "requirements.txt", "app.yaml", "databricks.yml", ".gitignore"):
        assert (project / name).is_file(), name
    assert (project / "config" / ".env.prod.example").is_file()

    spec = load_project(project, variables={"warehouse_id": "abc123"})
    assert spec.app.name == "risk-app"
    assert spec.app.user_api_scopes == ("sql",)
    assert spec.app.resources[0].kind == "sql_warehouse"
    assert spec.app.resources[0].settings["id"] == "abc123"
    assert spec.app.permissions
    command = spec.effective_spec.command
    # not plain uvicorn: `run` checks settings and port and writes JSON logs with request ids
    assert command[:4] == ("lakehouse-appkit", "run", "--app", "risk_app.main:build_app")
    assert command[command.index("--port") + 1] == "$DATABRICKS_APP_PORT"
    assert spec.effective_spec.value_from_keys == ("sql-warehouse",)
    assert not any(p.parts[0] == "tests" for p in spec.files)

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert " passed" in run.stdout


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_generated_code_is_lint_clean_under_its_own_ruff_config(cli, tmp_path, template) -> None:
    ruff = Path(sys.executable).parent / "ruff"  # a dev dependency: installed beside pytest
    assert ruff.exists(), "install the dev extra: pip install -e '.[dev]'"
    project = _create(cli, tmp_path, template)
    for args in (["check", "."], ["format", "--check", "."]):
        run = subprocess.run(
            [str(ruff), *args], cwd=project, capture_output=True, text=True, timeout=60
        )
        assert run.returncode == 0, run.stdout + run.stderr


def test_generated_app_yaml_variants_are_rejected_naming_the_field(cli, tmp_path) -> None:
    project = _create(cli, tmp_path, "governed-api")
    good = yaml.safe_load((project / "app.yaml").read_text())
    broken = [
        ({**good, "command": " ".join(good["command"])}, "command"),
        ({**good, "env": [*good["env"], {"name": "DATABRICKS_TOKEN", "value": "dapi"}]}, None),
        ({k: v for k, v in good.items() if k != "command"}, "command"),
    ]
    for document, field in broken:
        with pytest.raises(ConfigProblem) as caught:
            validate_app_yaml(document)
        if field:
            assert caught.value.field == field
        assert caught.value.source == "app.yaml"


def test_generated_bundle_variants_are_rejected_naming_the_field(cli, tmp_path) -> None:
    project = _create(cli, tmp_path, "write-back")
    good = yaml.safe_load((project / "databricks.yml").read_text())
    app = good["resources"]["apps"]["risk_app"]

    def variant(**changes):
        copy = yaml.safe_load(yaml.safe_dump(good))
        copy["resources"]["apps"]["risk_app"].update(changes)
        return copy

    cases = {
        "resources.apps.risk_app.name": variant(name="Risk App"),
        "resources.apps.risk_app.user_api_scopes": variant(user_api_scopes="sql"),
        "resources.apps.risk_app.resources[0].sql_warehouse.permission": variant(
            resources=[{**app["resources"][0], "sql_warehouse": {"id": "x", "permission": "OWN"}}]
        ),
        "resources.apps.risk_app.source_path": variant(source_path="."),
    }
    for field, document in cases.items():
        with pytest.raises(ConfigProblem) as caught:
            validate_bundle(document, variables={"warehouse_id": "abc"})
        assert caught.value.field == field, str(caught.value)


def test_create_refuses_a_non_empty_folder(cli, tmp_path) -> None:
    target = tmp_path / "risk-app"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    result = cli("create", "risk-app", "--dir", str(target))
    assert result.exit_code == 2
    assert "not an empty folder" in result.stderr
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def test_create_writes_into_an_empty_folder(cli, tmp_path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    assert cli("create", "risk-app", "--dir", str(target)).exit_code == 0
    assert (target / "app.yaml").is_file()


@pytest.mark.parametrize("name", ["Risk", "risk_app", "-risk", "risk-", "1risk", "r", "a" * 31])
def test_create_refuses_invalid_names(cli, name: str) -> None:
    result = cli("create", "--", name)
    assert result.exit_code == 2, result.output
    assert "not a valid app name" in result.stderr


def test_create_refuses_an_unknown_template(cli) -> None:
    result = cli("create", "risk-app", "--template", "crm")
    assert result.exit_code == 2
    assert "unknown template 'crm'" in result.stderr


def test_a_generated_project_deploys_to_the_emulated_workspace(ws_cli, emulator, tmp_path) -> None:
    project = _create(ws_cli, tmp_path, "risk-overrides")
    result = ws_cli(
        "deploy", "-C", str(project), "--var", f"warehouse_id={emulator.warehouse_id}", "--json"
    )
    assert result.exit_code == 0, result.output
    assert '"state": "SUCCEEDED"' in result.stdout
