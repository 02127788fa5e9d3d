"""The SQL endpoint's guard: statements that would read files, secrets or engine internals,
or hide a table name from the check, are refused before any warehouse sees them."""

from __future__ import annotations

import pytest

from appkit_web.sql_guard import ReadOnlyViolation, check_read_only

HOST_REACHING = [
    # table functions outside the allow-list: files, engine internals, other systems
    "SELECT * FROM read_json_objects_auto('/etc/passwd')",
    "SELECT * FROM read_ndjson_objects('/etc/passwd')",
    "SELECT * FROM parquet_file_metadata('/data/x.parquet')",
    "SELECT * FROM parquet_kv_metadata('/data/x.parquet')",
    "SELECT * FROM duckdb_databases()",
    "SELECT * FROM duckdb_extensions()",
    "SELECT * FROM pragma_database_list()",
    "SELECT * FROM sqlite_attach('/tmp/x.db')",
    "SELECT * FROM checkpoint()",
    "SELECT * FROM which_secret('s3://bucket/x', 's3')",
    "SELECT * FROM cloud_files_state('/Volumes/a/b/c')",
    "SELECT * FROM read_state_metadata('/Volumes/a/b/c')",
    "SELECT * FROM read_delta_sharing('share.schema.table')",
    "SELECT * FROM list_secrets()",
    "SELECT * FROM postgres_query('db', 'SELECT 1')",
    "SELECT * FROM query('SELECT * FROM read_csv(''/etc/passwd'')')",
    "SELECT * FROM range(3) AS r, read_ndjson_objects('/etc/passwd')",
    # a quoted function name parsed as a table with a path-like column alias
    "SELECT * FROM \"read_csv\"('/etc/passwd')",
    # scalar functions that read secrets or run a query string
    "SELECT secret('scope', 'key')",
    "SELECT try_secret('scope', 'key')",
    "SELECT 1 WHERE EXISTS (SELECT * FROM query('SELECT 1'))",
    # the table name decided by a value, so the name check never sees it
    "SELECT * FROM IDENTIFIER(:t)",
    "SELECT * FROM IDENTIFIER('csv.`/etc/passwd`')",
    # SHOW and DESCRIBE that carry a query or a function call
    "DESCRIBE SELECT * FROM read_csv('/etc/passwd')",
    "DESCRIBE QUERY SELECT * FROM read_csv('/etc/passwd')",
    "SHOW TABLES FROM read_csv('/x')",
    "SHOW COLUMNS IN read_csv('/x')",
]

STILL_ALLOWED = [
    ("SELECT * FROM range(10)", "SELECT"),
    ("SELECT * FROM explode(array(1, 2))", "SELECT"),
    ("SELECT col FROM demo.risk.metrics LATERAL VIEW explode(array(1)) t AS col", "SELECT"),
    ("SELECT upper(entity) FROM demo.risk.metrics", "SELECT"),
    ("DESCRIBE TABLE demo.risk.metrics", "DESCRIBE"),
    ("SHOW TABLES IN demo.risk LIKE 'met*'", "SHOW"),
]


@pytest.mark.parametrize("statement", HOST_REACHING)
def test_statements_reaching_files_secrets_or_engine_internals_are_refused(statement: str):
    with pytest.raises(ReadOnlyViolation):
        check_read_only(statement)


@pytest.mark.parametrize("statement,kind", STILL_ALLOWED)
def test_plain_catalog_reads_and_allowed_table_functions_still_pass(statement: str, kind: str):
    assert check_read_only(statement).kind == kind


def test_an_engine_table_function_named_like_a_table_is_refused():
    with pytest.raises(ReadOnlyViolation):
        check_read_only("SELECT * FROM pragma_database_list")
