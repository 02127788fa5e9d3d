"""``delta history|detail|optimize|vacuum|restore`` against the emulated workspace."""

from __future__ import annotations

import json


def _table(emulator) -> str:
    for statement in (
        "CREATE TABLE main.default.tiers (id INT, tier STRING)",
        "INSERT INTO main.default.tiers VALUES (1, 'bronze'), (2, 'silver')",
        "UPDATE main.default.tiers SET tier = 'gold' WHERE id = 1",
    ):
        emulator.sql(statement)
    return "main.default.tiers"


def test_history_lists_each_version_newest_first(ws_cli, emulator):
    table = _table(emulator)
    result = ws_cli("delta", "history", table, "--json")
    assert result.exit_code == 0, result.output
    history = json.loads(result.stdout)
    assert [(h["version"], h["operation"]) for h in history] == [
        (2, "UPDATE"),
        (1, "WRITE"),
        (0, "CREATE TABLE"),
    ]
    assert history[0]["operationMetrics"] == {"numUpdatedRows": "1"}
    limited = json.loads(ws_cli("delta", "history", table, "--limit", "1", "--json").stdout)
    assert len(limited) == 1
    shown = ws_cli("delta", "history", table)
    assert "UPDATE" in shown.stdout and "CREATE TABLE" in shown.stdout


def test_detail_optimize_vacuum_and_restore(ws_cli, emulator):
    table = _table(emulator)
    detail = json.loads(ws_cli("delta", "detail", table, "--json").stdout)
    assert detail["format"] == "delta" and detail["name"] == table
    optimized = ws_cli("delta", "optimize", table, "--zorder-by", "tier", "--json")
    assert optimized.exit_code == 0, optimized.output
    assert json.loads(optimized.stdout)["metrics"]["numFilesAdded"] == 1
    restored = ws_cli("delta", "restore", table, "--version", "1", "--json")
    assert restored.exit_code == 0, restored.output
    rows = emulator.sql(f"SELECT tier FROM {table} ORDER BY id").rows
    assert [r[0] for r in rows] == ["bronze", "silver"]
    refused = ws_cli("delta", "vacuum", table, "--retention-hours", "1")
    assert refused.exit_code == 1
    assert "DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT" in refused.stderr
    dry = ws_cli("delta", "vacuum", table, "--dry-run", "--json")
    assert dry.exit_code == 0 and json.loads(dry.stdout) == []
    assert ws_cli("delta", "vacuum", table).exit_code == 0
    operations = [
        h["operation"] for h in json.loads(ws_cli("delta", "history", table, "--json").stdout)
    ]
    assert operations[:4] == ["VACUUM END", "VACUUM START", "RESTORE", "OPTIMIZE"]


def test_bad_names_and_arguments_are_usage_errors(ws_cli, emulator):
    assert ws_cli("delta", "history", "not-a-table").exit_code == 2
    assert ws_cli("delta", "restore", "main.default.t").exit_code == 2
    naive = ws_cli("delta", "restore", "main.default.t", "--timestamp", "2025-01-01T00:00:00")
    assert naive.exit_code == 2
    assert ws_cli("delta", "optimize", "main.default.t", "--zorder-by", "a;b").exit_code == 2
    missing = ws_cli("delta", "history", "main.default.nope")
    assert missing.exit_code == 3, missing.output
