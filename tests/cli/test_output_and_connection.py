"""Output formats keep column order; unreachable hosts fail fast; completion; --profile."""

from __future__ import annotations

import csv
import io
import json
import socket
import time
from pathlib import Path

import pytest

QUERY = "SELECT 'ACC-1' AS zeta, 2 AS alpha, CAST(NULL AS STRING) AS middle"


@pytest.mark.parametrize("flag", [["--json"], ["-o", "json"]])
def test_sql_query_json_keeps_the_statements_column_order(ws_cli, flag) -> None:
    result = ws_cli("sql", "query", QUERY, *flag)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert [c["name"] for c in body["columns"]] == ["zeta", "alpha", "middle"]
    assert list(body["rows"][0]) == ["zeta", "alpha", "middle"]
    assert body["rows"][0] == {"zeta": "ACC-1", "alpha": 2, "middle": None}


def test_sql_query_csv_has_a_header_and_empty_nulls(ws_cli) -> None:
    result = ws_cli("sql", "query", QUERY, "-o", "csv")
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["zeta", "alpha", "middle"],
        ["ACC-1", "2", ""],
    ]


def test_sql_query_ndjson_is_one_object_per_row_in_order(ws_cli) -> None:
    statement = "SELECT id AS b, id * 10 AS a FROM (VALUES (1), (2)) AS t(id) ORDER BY id"
    result = ws_cli("sql", "query", statement, "--output", "ndjson")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == ['{"b": 1, "a": 10}', '{"b": 2, "a": 20}']


def test_the_root_output_option_applies_to_listing_commands(ws_cli) -> None:
    result = ws_cli("-o", "csv", "uc", "list-catalogs")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert "main" in {row["name"] for row in rows}
    again = ws_cli("uc", "list-catalogs")  # the next invocation is back to a table
    assert "│" in again.stdout or "┃" in again.stdout


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_connection_fails_at_once_with_exit_1(cli) -> None:
    host = f"http://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    result = cli(
        "uc",
        "list-catalogs",
        env={
            "DATABRICKS_HOST": host,
            "DATABRICKS_TOKEN": "dapi-x",
            "APPKIT_CLI_RETRY_TIMEOUT": "60",
        },
    )
    assert time.monotonic() - started < 5  # not the SDK's 60 s retry window
    assert result.exit_code == 1
    assert (
        result.stderr.strip() == f"error: cannot reach the workspace at {host}: connection refused"
    )


def test_an_unknown_host_fails_at_once(cli) -> None:
    result = cli(
        "sql", "query", "SELECT 1", "-w", "x",
        env={"DATABRICKS_HOST": "https://no-such-host.invalid", "DATABRICKS_TOKEN": "dapi-x"},
    )  # fmt: skip
    assert result.exit_code == 1
    assert "unknown host" in result.stderr


def test_profile_selects_a_databrickscfg_profile(cli, emulator, tmp_path: Path) -> None:
    emulator.reset()
    config = tmp_path / "databrickscfg"
    config.write_text(
        f"[DEFAULT]\nhost = http://127.0.0.1:{_closed_port()}\ntoken = dapi-nowhere\n\n"
        f"[emulated]\nhost = {emulator.host}\ntoken = {emulator.admin_token}\n"
    )
    env = {"DATABRICKS_CONFIG_FILE": str(config), "DATABRICKS_CONFIG_PROFILE": None}
    chosen = cli("--profile", "emulated", "-o", "json", "uc", "list-catalogs", env=env)
    assert chosen.exit_code == 0, chosen.output
    assert "main" in {c["name"] for c in json.loads(chosen.stdout)}
    default = cli("uc", "list-catalogs", env=env)
    assert default.exit_code == 1 and "connection refused" in default.stderr


def test_shell_completion_completes_command_names(cli) -> None:
    result = cli(
        env={"_LAKEHOUSE_APPKIT_COMPLETE": "complete_bash", "COMP_WORDS": "lakehouse-appkit au",
             "COMP_CWORD": "1"},
    )  # fmt: skip
    assert result.exit_code == 0
    assert "audit" in result.stdout.split()


def test_shell_completion_script_is_shown_for_bash(cli) -> None:
    result = cli("--show-completion", "bash")
    assert result.exit_code == 0
    assert "_LAKEHOUSE_APPKIT_COMPLETE" in result.stdout
