"""analyze() tells a statement's kind and the tables it reads and writes, without running it."""

from __future__ import annotations

import pytest

from appkit_adapters.local import LocalEngine


@pytest.mark.parametrize(
    ("statement", "kind", "reads", "writes", "read_only"),
    [
        (
            "SELECT * FROM t JOIN gov.x u ON t.a = u.a",
            "SELECT",
            {"main.default.t", "main.gov.x"},
            set(),
            True,
        ),
        (
            "WITH c AS (SELECT * FROM cat.s.src) SELECT * FROM c",
            "SELECT",
            {"cat.s.src"},
            set(),
            True,
        ),
        (
            "INSERT INTO main.gov.t SELECT * FROM s",
            "INSERT",
            {"main.default.s"},
            {"main.gov.t"},
            False,
        ),
        (
            "UPDATE T SET a = 1 WHERE b IN (SELECT b FROM u)",
            "UPDATE",
            {"main.default.u"},
            {"main.default.t"},
            False,
        ),
        ("DELETE FROM t", "DELETE", set(), {"main.default.t"}, False),
        (
            "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE",
            "MERGE",
            {"main.default.s"},
            {"main.default.t"},
            False,
        ),
        ("CREATE TABLE a.b.c (x INT) USING DELTA", "CREATE", set(), {"a.b.c"}, False),
        ("DROP TABLE IF EXISTS t", "DROP", set(), {"main.default.t"}, False),
        ("DESCRIBE TABLE t", "DESCRIBE", {"main.default.t"}, set(), True),
        ("SHOW TABLES", "SHOW", set(), set(), True),
        ("CREATE CATALOG c", "CREATE", set(), set(), False),
    ],
)
def test_statement_kind_reads_and_writes(
    engine: LocalEngine,
    statement: str,
    kind: str,
    reads: set[str],
    writes: set[str],
    read_only: bool,
) -> None:
    info = engine.analyze(statement)
    assert (info.kind, set(info.reads), set(info.writes), info.is_read_only) == (
        kind,
        reads,
        writes,
        read_only,
    )


def test_schema_ddl_names_the_schema(engine: LocalEngine) -> None:
    info = engine.analyze("CREATE SCHEMA IF NOT EXISTS gov")
    assert info.kind == "CREATE"
    assert info.schemas == frozenset({"main.gov"})


def test_analyze_does_not_run_the_statement(engine: LocalEngine) -> None:
    engine.analyze("CREATE TABLE t (a INT)")
    assert engine.list_tables("main", "default") == []


def test_grant_is_described_for_the_workspace_and_refused_by_the_engine(
    engine: LocalEngine,
) -> None:
    from appkit_adapters.local import UnsupportedStatement

    info = engine.analyze(
        "GRANT SELECT, MODIFY ON TABLE gov.orders TO `alice@example.com`, `data eng`"
    )
    assert info.kind == "GRANT" and not info.is_read_only
    assert info.grant is not None
    assert (info.grant.privileges, info.grant.securable_type, info.grant.securable) == (
        ("SELECT", "MODIFY"),
        "TABLE",
        "main.gov.orders",
    )
    assert info.grant.principals == ("alice@example.com", "data eng")
    revoke = engine.analyze("REVOKE USE CATALOG ON CATALOG main FROM `account users`").grant
    assert revoke is not None and (revoke.action, revoke.privileges, revoke.securable) == (
        "REVOKE",
        ("USE_CATALOG",),
        "main",
    )
    with pytest.raises(UnsupportedStatement, match="GRANT"):
        engine.execute("GRANT SELECT ON TABLE gov.orders TO `alice@example.com`")
