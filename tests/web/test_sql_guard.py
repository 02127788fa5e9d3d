"""The SQL endpoint accepts only single read-only statements, decided by parsing."""

from __future__ import annotations

import pytest

from appkit_web.sql_guard import ReadOnlyViolation, check_read_only
from tests.web.conftest import ALICE, Api

ACCEPTED = [
    ("SELECT 1", "SELECT"),
    ("select * from demo.risk.metrics", "SELECT"),
    ("SELECT entity, value FROM demo.risk.metrics WHERE entity = :entity", "SELECT"),
    ("WITH m AS (SELECT * FROM demo.risk.metrics) SELECT count(*) FROM m", "SELECT"),
    ("SELECT 1 UNION ALL SELECT 2", "SELECT"),
    ("SELECT * FROM demo.crm.customers ORDER BY customer_id LIMIT 10;", "SELECT"),
    ("SELECT 'DROP TABLE x; --' AS text", "SELECT"),
    ("SELECT 1 -- ; DELETE FROM t", "SELECT"),
    ("DESCRIBE TABLE demo.risk.metrics", "DESCRIBE"),
    ("DESCRIBE demo.crm.customers", "DESCRIBE"),
    ("SHOW TABLES IN demo.risk", "SHOW"),
    ("SHOW CATALOGS", "SHOW"),
    ("SHOW SCHEMAS IN demo", "SHOW"),
    ("SHOW COLUMNS IN demo.risk.metrics", "SHOW"),
]

REFUSED = [
    # DML
    "INSERT INTO demo.crm.customers VALUES (1, 'x', 'gold', 'me', now())",
    "INSERT OVERWRITE demo.crm.customers SELECT * FROM demo.crm.customers",
    "UPDATE demo.crm.customers SET tier = 'platinum'",
    "DELETE FROM demo.governance.audit_events",
    "MERGE INTO demo.crm.customers t USING s ON t.id = s.id WHEN MATCHED THEN DELETE",
    "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x",
    "WITH x AS (SELECT 1) DELETE FROM t",
    "SELECT * INTO new_table FROM demo.crm.customers",
    # DDL
    "DROP TABLE demo.governance.audit_events",
    "DROP SCHEMA demo.governance CASCADE",
    "CREATE TABLE t AS SELECT * FROM demo.crm.customers",
    "CREATE OR REPLACE VIEW v AS SELECT 1",
    "ALTER TABLE demo.crm.customers ADD COLUMN pwned STRING",
    "TRUNCATE TABLE demo.governance.audit_events",
    "CREATE FUNCTION f() RETURNS INT RETURN 1",
    "COMMENT ON TABLE demo.crm.customers IS 'x'",
    # multiple statements / stacking
    "SELECT 1; DROP TABLE demo.crm.customers",
    "SELECT 1;DELETE FROM demo.crm.customers",
    "SHOW TABLES; DROP TABLE x",
    "DESCRIBE t; DROP TABLE t",
    "SELECT * FROM t WHERE name = '' ; UPDATE t SET tier='gold' --'",
    "SELECT 1; SELECT 2",
    "SELECT 1;\nDROP TABLE x;",
    # permissions, session and engine commands
    "GRANT ALL PRIVILEGES ON TABLE demo.crm.customers TO `users`",
    "REVOKE SELECT ON TABLE demo.crm.customers FROM `users`",
    "SET spark.sql.ansi.enabled = false",
    "USE CATALOG other",
    "USE SCHEMA demo.governance",
    "RESET",
    "CALL system.procedure()",
    "PRAGMA enable_profiling",
    "ATTACH '/tmp/evil.db' AS evil",
    "DETACH evil",
    "INSTALL httpfs",
    "LOAD httpfs",
    "COPY demo.crm.customers TO '/tmp/out.csv'",
    "EXPORT DATABASE '/tmp/out'",
    "VACUUM demo.crm.customers",
    "OPTIMIZE demo.crm.customers",
    "REFRESH TABLE demo.crm.customers",
    "CACHE TABLE demo.crm.customers",
    "MSCK REPAIR TABLE demo.crm.customers",
    "BEGIN TRANSACTION",
    "COMMIT",
    "EXECUTE IMMEDIATE 'DROP TABLE x'",
    # file and code access
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv_auto('/etc/passwd')",
    "SELECT * FROM read_parquet('s3://bucket/x.parquet')",
    "SELECT * FROM read_files('/Volumes/a/b/c')",
    "SELECT * FROM read_text('/etc/shadow')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM 'data.csv'",
    "SELECT * FROM parquet.`/tmp/data`",
    "SELECT * FROM delta.`s3://bucket/table`",
    "SELECT * FROM json.`/tmp/x.json`",
    "SELECT getenv('DATABRICKS_TOKEN')",
    "SELECT java_method('java.lang.Runtime', 'getRuntime')",
    "SELECT reflect('java.lang.System', 'exit', 0)",
    "SELECT current_setting('s3_secret_access_key')",
    "SELECT * FROM duckdb_secrets()",
    "SELECT * FROM demo.crm.customers FOR UPDATE",
    "SELECT * FROM (SELECT * FROM read_csv('/etc/hosts'))",
    "SELECT (SELECT 1 FROM read_json('/x.json'))",
    # malformed
    "",
    "   ",
    ";",
    "SHOW",
    "SHOW EVERYTHING",
    "SELECT FROM WHERE",
    "SELECT * FROM t WHERE a = 'unterminated",
    "SELECT 1\x00; DROP TABLE x",
    "EXPLAIN DELETE FROM t",
]


@pytest.mark.parametrize(("statement", "kind"), ACCEPTED)
def test_read_only_statements_are_accepted(statement: str, kind: str):
    assert check_read_only(statement).kind == kind


@pytest.mark.parametrize("statement", REFUSED)
def test_anything_but_one_read_only_statement_is_refused(statement: str):
    with pytest.raises(ReadOnlyViolation):
        check_read_only(statement)


def test_the_refusal_corpus_has_at_least_fifty_payloads():
    assert len(set(REFUSED)) >= 50


async def test_sql_endpoint_refuses_every_payload_of_the_corpus_with_400(api: Api):
    for statement in REFUSED:
        response = await api.post("/api/sql/query", ALICE, json={"statement": statement})
        assert response.status_code in (400, 422), statement
        assert response.headers["content-type"] == "application/problem+json"


async def test_sql_endpoint_refuses_callers_without_identity(api: Api):
    response = await api.post("/api/sql/query", json={"statement": "SELECT 1"})
    assert response.status_code == 401


async def test_sql_endpoint_without_a_warehouse_answers_503(api: Api):
    response = await api.post("/api/sql/query", ALICE, json={"statement": "SELECT 1"})
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
