"""``lakehouse-appkit db init``: creates the governance tables once, then is a no-op."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from appkit_adapters.local.engine import LocalEngine
from appkit_adapters.sql.schema import TABLES, GovernanceSchema
from appkit_adapters.sql.stores.audit import SqlAuditStore
from appkit_domain.audit import AuditLog
from appkit_testing.fakes.clock import ControllableClock
from appkit_testing.fakes.ids import SequentialIds
from appkit_web.cli import app
from appkit_web.cli.db import local_lakehouse_dir

TABLE_NAMES = [spec.name for spec in TABLES]


def run_init(tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(
        app,
        ["db", "init", "--catalog", "gov", "--schema", "records", "--json", *extra],
        env={"APPKIT_CONFIG_DIR": str(tmp_path / "no-config"), **(env or {})},
    )


def test_db_init_creates_every_table_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    first = run_init(tmp_path, "--backend", "local", "--data-dir", str(tmp_path / "data"))
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["schema_created"] is True
    assert report["created"] == TABLE_NAMES
    second = run_init(tmp_path, "--backend", "local", "--data-dir", str(tmp_path / "data"))
    assert second.exit_code == 0, second.output
    again = json.loads(second.stdout)
    assert (again["changed"], again["created"], again["existing"]) == (False, [], TABLE_NAMES)


def test_db_init_refuses_an_invalid_schema_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["db", "init", "--backend", "local", "--data-dir", str(tmp_path), "--schema", "a;b"],
        env={"APPKIT_CONFIG_DIR": str(tmp_path / "no-config")},
    )
    assert result.exit_code == 2
    assert "not a valid identifier" in result.output


def test_audit_log_on_the_initialised_tables_verifies_and_detects_tampering(
    tmp_path: Path,
) -> None:
    assert run_init(tmp_path, "--backend", "local", "--data-dir", str(tmp_path)).exit_code == 0

    async def scenario() -> tuple[bool, bool]:
        with LocalEngine(local_lakehouse_dir(tmp_path)) as engine:
            warehouse = engine.warehouse("sp-app")
            store = SqlAuditStore(warehouse, GovernanceSchema("gov", "records"))
            log = AuditLog(store, ControllableClock(), SequentialIds(), stream="app-1")
            await asyncio.gather(
                *(
                    log.append(actor=f"u-{i}", action="approval.approve", target=f"t:{i}")
                    for i in range(25)
                )
            )
            intact = (await log.verify()).ok
            await warehouse.execute(f"UPDATE {store.table} SET actor = 'mallory' WHERE seq = 7")
            tampered = (await log.verify()).ok
            return intact, tampered

    intact, tampered = asyncio.run(scenario())
    assert intact is True
    assert tampered is False


def test_db_init_through_the_statement_execution_api(tmp_path: Path, fake_workspace: Any) -> None:
    fake_workspace.sql("CREATE CATALOG IF NOT EXISTS gov")
    env = {"DATABRICKS_HOST": fake_workspace.host, "DATABRICKS_TOKEN": fake_workspace.admin_token}
    extra = ("--backend", "databricks", "--warehouse-id", fake_workspace.warehouse_id)
    first = run_init(tmp_path, *extra, env=env)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["created"] == TABLE_NAMES
    second = run_init(tmp_path, *extra, env=env)
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["changed"] is False
