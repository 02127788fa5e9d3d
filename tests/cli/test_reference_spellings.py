"""The CLI reference's spellings work as written: ``--catalog``/``--schema`` options, ``uc search
"words" --max-results``, ``uc list-functions`` of SQL functions, ``jobs list --limit``."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def described(ws_cli, emulator):
    for statement in (
        "CREATE SCHEMA IF NOT EXISTS main.sales",
        "CREATE TABLE main.sales.accounts (id INT COMMENT 'customer number', region STRING)"
        " COMMENT 'CRM data of every customer'",
        "CREATE TABLE main.sales.orders (id INT, amount DOUBLE) COMMENT 'order lines'",
        "ALTER TABLE main.sales.orders SET TAGS ('domain' = 'customer', 'pii')",
        "CREATE TABLE main.sales.notes (body STRING)",
        "CREATE FUNCTION main.sales.net(amount DOUBLE) RETURNS DOUBLE RETURN amount * 0.8",
    ):
        emulator.sql(statement)
    return ws_cli


def test_list_commands_take_catalog_and_schema_options(described) -> None:
    schemas = described("uc", "list-schemas", "--catalog", "main", "--json")
    assert schemas.exit_code == 0, schemas.output
    assert "main.sales" in {s["full_name"] for s in json.loads(schemas.stdout)}
    tables = described("uc", "list-tables", "--catalog", "main", "--schema", "sales", "--json")
    assert tables.exit_code == 0, tables.output
    assert {t["name"] for t in json.loads(tables.stdout)} == {"accounts", "orders", "notes"}
    positional = described("uc", "list-tables", "main", "sales", "--json")
    assert json.loads(positional.stdout) == json.loads(tables.stdout)
    volumes = described("uc", "list-volumes", "--catalog", "main", "--schema", "sales")
    assert volumes.exit_code == 0, volumes.output
    assert described("uc", "list-tables", "--catalog", "main").exit_code == 2
    assert described("uc", "list-tables", "main", "sales", "--catalog", "other").exit_code == 2


def test_list_functions_shows_sql_functions(described) -> None:
    listed = described("uc", "list-functions", "--catalog", "main", "--schema", "sales", "--json")
    assert listed.exit_code == 0, listed.output
    functions = json.loads(listed.stdout)
    assert [(f["full_name"], f["routine_body"]) for f in functions] == [("main.sales.net", "SQL")]
    assert functions[0]["routine_definition"] == "amount * 0.8"


def test_search_finds_words_in_names_comments_columns_and_tags(described) -> None:
    result = described("uc", "search", "customer data", "--max-results", "10", "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert [h["full_name"] for h in hits] == ["main.sales.accounts"]
    assert hits[0]["matched"] == "comment"
    tagged = json.loads(described("uc", "search", "customer", "--json").stdout)
    assert {"main.sales.accounts", "main.sales.orders"} <= {h["full_name"] for h in tagged}
    orders = next(h for h in tagged if h["full_name"] == "main.sales.orders")
    assert orders["matched"] == "tag" and orders["tags"] == {"domain": "customer", "pii": ""}
    capped = json.loads(
        described("uc", "search", "customer", "--max-results", "1", "--json").stdout
    )
    assert len(capped) == 1
    assert described("uc", "search", "no such words", "--json").stdout.strip() == "[]"


def test_jobs_list_takes_a_limit(described, emulator) -> None:
    from databricks.sdk.service.jobs import NotebookTask, Task

    client = emulator.client()
    for n in range(3):
        client.jobs.create(
            name=f"job-{n}",
            tasks=[Task(task_key="t", notebook_task=NotebookTask(notebook_path="/x"))],
        )
    listed = described("jobs", "list", "--limit", "2", "--json")
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)) == 2
