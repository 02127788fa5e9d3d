"""``lakehouse-appkit audit verify`` and ``audit checkpoint`` on the local backend."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appkit_adapters.local import LocalEngine
from appkit_web.backends import container_for
from appkit_web.cli import app
from appkit_web.cli.audit import maybe_await
from appkit_web.settings import load_settings

AUDIT_TABLE = "demo.governance.audit_events"


@pytest.fixture
def lakehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local lakehouse whose audit log holds five events of one stream."""
    env = {"APPKIT_BACKEND": "local", "APPKIT_DATA_DIR": str(tmp_path), "APP_ENV": "dev"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    async def seed() -> None:
        container = container_for(load_settings())
        await maybe_await(container.init_resources())
        try:
            await maybe_await(container.startup())
            log = container.audit_log()
            for i in range(5):
                await log.append(actor="alice", action="override.propose", target=f"ovr:{i}")
        finally:
            await maybe_await(container.shutdown_resources())

    asyncio.run(seed())
    return tmp_path


def tamper(data_dir: Path, statement: str) -> None:
    with LocalEngine(data_dir) as engine:
        engine.execute(statement)


def test_verify_exits_0_when_the_log_is_intact(lakehouse: Path) -> None:
    result = CliRunner().invoke(app, ["audit", "verify", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["streams"][0]["events"] == 5


def test_verify_exits_1_naming_the_first_broken_link(lakehouse: Path) -> None:
    tamper(lakehouse, f"UPDATE {AUDIT_TABLE} SET actor = 'mallory' WHERE seq = 3")
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "sequence 3" in result.stderr
    assert "does not match" in result.stderr


def test_a_checkpoint_catches_a_truncated_tail(lakehouse: Path, tmp_path: Path) -> None:
    heads = tmp_path / "heads.json"
    saved = CliRunner().invoke(app, ["audit", "checkpoint", "--out", str(heads)])
    assert saved.exit_code == 0, saved.output
    assert json.loads(heads.read_text())[0]["seq"] == 5
    tamper(lakehouse, f"DELETE FROM {AUDIT_TABLE} WHERE seq = 5")
    assert CliRunner().invoke(app, ["audit", "verify"]).exit_code == 0
    result = CliRunner().invoke(app, ["audit", "verify", "--checkpoints", str(heads)])
    assert result.exit_code == 1
    assert "checkpoint" in result.stderr


def test_unreadable_checkpoints_are_a_usage_error(lakehouse: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a list"}')
    result = CliRunner().invoke(app, ["audit", "verify", "--checkpoints", str(bad)])
    assert result.exit_code == 2
    assert "expected a JSON list" in result.stderr
