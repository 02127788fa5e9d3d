"""``lakehouse-appkit audit verify`` and ``audit checkpoint`` on the local backend."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
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


def test_audit_reads_the_catalog_and_schema_given(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("APPKIT_BACKEND", "local")
    monkeypatch.setenv("APPKIT_DATA_DIR", str(tmp_path))

    async def seed() -> None:
        settings = load_settings(DATABRICKS_CATALOG="main", DATABRICKS_SCHEMA="gov")
        container = container_for(settings)
        await maybe_await(container.init_resources())
        try:
            from appkit_adapters.sql.schema import init_schema

            await init_schema(await maybe_await(container.backend.warehouse()), "main", "gov",
                              create_catalog=True)  # fmt: skip
            await container.audit_log().append(actor="alice", action="x", target="t:1")
        finally:
            await maybe_await(container.shutdown_resources())

    asyncio.run(seed())
    result = CliRunner().invoke(
        app, ["audit", "verify", "--json", "--catalog", "main", "--schema", "gov"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["streams"][0]["events"] == 1
    bad = CliRunner().invoke(app, ["audit", "verify", "--catalog", "no such"])
    assert bad.exit_code == 2 and "DATABRICKS_CATALOG" in bad.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_verify_and_checkpoint_work_while_the_local_app_runs(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APPKIT_", "DATABRICKS_"))}
    env.update(APPKIT_BACKEND="local", APPKIT_DATA_DIR=str(tmp_path / "data"),
               APPKIT_CONFIG_DIR=str(tmp_path), APP_ENV="dev")  # fmt: skip
    script = Path(sys.executable).with_name("lakehouse-appkit")
    log = (tmp_path / "run.log").open("wb")
    server = subprocess.Popen(
        [str(script), "run", "--port", str(port)], env=env, cwd=tmp_path,
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, server, tmp_path / "run.log")
        proposal = json.dumps({"entity": "ACME", "metric": "pd", "period": "2026-Q3",
                               "value": "0.0215", "justification": "restated"}).encode()  # fmt: skip
        request = urllib.request.Request(
            f"{base}/api/overrides", data=proposal, method="POST",
            headers={"X-Forwarded-Email": "alice@example.com", "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201
        runner = CliRunner()
        verified = runner.invoke(app, ["audit", "verify", "--json"], env=env)
        assert verified.exit_code == 0, verified.output
        report = json.loads(verified.stdout)
        assert report["ok"] is True and report["streams"][0]["events"] >= 1
        assert f"asking the running app at {base} (as auditor@example.com)" in verified.stderr
        heads = runner.invoke(app, ["audit", "checkpoint"], env=env)
        assert heads.exit_code == 0, heads.output
        assert json.loads(heads.stdout)[0]["seq"] == report["streams"][0]["head_seq"]
        strict = runner.invoke(app, ["audit", "verify", "--checkpoints", "x.json"], env=env)
        assert strict.exit_code == 2
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert not (tmp_path / "data" / "serving.json").exists()


def wait_until_serving(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"run exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the app did not start within 60 s")


def test_db_init_elsewhere_than_the_settings_says_how_audit_finds_it(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("APPKIT_BACKEND", "local")
    monkeypatch.setenv("APPKIT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("APPKIT_CONFIG_DIR", str(tmp_path))
    made = CliRunner().invoke(app, ["db", "init", "--catalog", "main", "--schema", "gov"])
    assert made.exit_code == 0, made.output
    assert "pass --catalog main --schema gov to `audit`" in made.stderr
    verified = CliRunner().invoke(app, ["audit", "verify", "--catalog", "main", "--schema", "gov"])
    assert verified.exit_code == 0, verified.output
    assert "no audit streams yet" in verified.stdout
