"""Fixtures for the command-line tests: an emulated workspace and a CLI runner pointed at it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from typer.testing import CliRunner

from appkit_testing.workspace import EmulatedWorkspace
from appkit_web.cli import app


@pytest.fixture(scope="session")
def emulator(fake_workspace_server: EmulatedWorkspace) -> EmulatedWorkspace:
    """The session's emulated workspace (from the appkit pytest plugin); tests reset it."""
    return fake_workspace_server


@dataclass
class Cli:
    """Runs ``lakehouse-appkit`` in-process; ``env`` is the whole DATABRICKS_* environment."""

    runner: CliRunner
    env: dict[str, str]

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None):
        merged = {**self.env, **(env or {})}
        return self.runner.invoke(app, list(args), input=input, env=merged)


def _clear_databricks_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "BUNDLE_VAR_", "APPKIT_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", "/nonexistent/.databrickscfg")


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Cli:
    """A runner with no workspace configured, working in an empty folder."""
    _clear_databricks_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    return Cli(CliRunner(), {"APPKIT_CLI_RETRY_TIMEOUT": "5"})


@pytest.fixture
def ws_cli(cli: Cli, emulator: EmulatedWorkspace) -> Iterator[Cli]:
    """A runner signed in to the emulated workspace as its admin."""
    emulator.reset()
    cli.env.update(
        DATABRICKS_HOST=emulator.host,
        DATABRICKS_TOKEN=emulator.admin_token,
        DATABRICKS_WAREHOUSE_ID=emulator.warehouse_id,
    )
    yield cli
