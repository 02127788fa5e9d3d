"""Three-level names, catalogs and schemas, SHOW/DESCRIBE and the introspection API."""

from __future__ import annotations

from pathlib import Path

import pytest

from appkit_adapters.local import LocalEngine
from appkit_domain.errors import Conflict, NotFound


def test_three_level_names_keep_catalogs_apart(engine: LocalEngine) -> None:
    engine.execute("CREATE CATALOG IF NOT EXISTS governance")
    engine.execute("CREATE SCHEMA governance.audit")
    engine.execute("CREATE TABLE governance.audit.events (id INT)")
    engine.execute("CREATE TABLE main.default.events (id INT)")
    engine.execute("INSERT INTO governance.audit.events VALUES (1), (2)")
    engine.execute("INSERT INTO events VALUES (9)")
    assert engine.execute("SELECT count(*) FROM governance.audit.events").scalar() == 2
    assert engine.execute("SELECT id FROM main.default.events").rows == [(9,)]
    joined = engine.execute(
        "SELECT a.id FROM governance.audit.events a JOIN main.default.events b ON a.id < b.id ORDER BY 1"
    )
    assert joined.rows == [(1,), (2,)]


def test_create_if_not_exists_is_idempotent_and_plain_create_conflicts(engine: LocalEngine) -> None:
    engine.execute("CREATE CATALOG ops")
    engine.execute("CREATE CATALOG IF NOT EXISTS ops")
    engine.execute("CREATE SCHEMA IF NOT EXISTS ops.dq")
    engine.execute("CREATE SCHEMA IF NOT EXISTS ops.dq")
    with pytest.raises(Conflict, match=r"\[CATALOG_ALREADY_EXISTS\]"):
        engine.execute("CREATE CATALOG ops")
    with pytest.raises(Conflict, match=r"\[SCHEMA_ALREADY_EXISTS\]"):
        engine.execute("CREATE SCHEMA ops.dq")
    engine.execute("CREATE TABLE ops.dq.t (a INT)")
    with pytest.raises(Conflict, match=r"\[TABLE_OR_VIEW_ALREADY_EXISTS\]"):
        engine.execute("CREATE TABLE ops.dq.t (a INT)")


def test_missing_catalog_and_schema_are_not_found(engine: LocalEngine) -> None:
    with pytest.raises(NotFound, match=r"\[CATALOG_NOT_FOUND\]"):
        engine.execute("CREATE SCHEMA nowhere.s")
    with pytest.raises(NotFound, match=r"\[SCHEMA_NOT_FOUND\].*`main`.`nope`"):
        engine.execute("CREATE TABLE main.nope.t (a INT)")
    with pytest.raises(NotFound, match=r"\[TABLE_OR_VIEW_NOT_FOUND\].*`nowhere`.`s`.`t`"):
        engine.execute("SELECT * FROM nowhere.s.t")


def test_show_statements_use_databricks_column_names(engine: LocalEngine) -> None:
    engine.execute("CREATE CATALOG sandbox")
    engine.execute("CREATE SCHEMA sandbox.work")
    engine.execute("CREATE TABLE sandbox.work.orders (id INT)")
    engine.execute(
        "CREATE VIEW sandbox.work.big_orders AS SELECT * FROM sandbox.work.orders WHERE id > 9"
    )
    catalogs = engine.execute("SHOW CATALOGS")
    assert [c.name for c in catalogs.columns] == ["catalog"]
    assert catalogs.rows == [("main",), ("sandbox",)]
    schemas = engine.execute("SHOW SCHEMAS IN sandbox")
    assert [c.name for c in schemas.columns] == ["databaseName"]
    assert schemas.rows == [("default",), ("work",)]
    tables = engine.execute("SHOW TABLES IN sandbox.work")
    assert [c.name for c in tables.columns] == ["database", "tableName", "isTemporary"]
    assert tables.rows == [("work", "big_orders", False), ("work", "orders", False)]
    assert engine.execute("SHOW TABLES IN sandbox.work LIKE 'ord*'").rows == [
        ("work", "orders", False)
    ]


def test_describe_table_lists_columns_types_and_comments(engine: LocalEngine) -> None:
    engine.execute(
        "CREATE TABLE main.default.ledger (id BIGINT NOT NULL COMMENT 'row id', amount DECIMAL(10,2),"
        " tags ARRAY<STRING>, attrs STRUCT<a: INT, b: STRING>) USING DELTA COMMENT 'the ledger'"
        " TBLPROPERTIES ('quality' = 'gold')"
    )
    result = engine.execute("DESCRIBE TABLE main.default.ledger")
    assert [c.name for c in result.columns] == ["col_name", "data_type", "comment"]
    assert result.rows == [
        ("id", "bigint", "row id"),
        ("amount", "decimal(10,2)", None),
        ("tags", "array<string>", None),
        ("attrs", "struct<a:int,b:string>", None),
    ]
    extended = dict(
        (row[0], row[1]) for row in engine.execute("DESCRIBE TABLE EXTENDED ledger").rows
    )
    assert extended["Comment"] == "the ledger"
    assert extended["Provider"] == "delta"
    assert extended["Table Properties"] == "[quality=gold]"


def test_get_table_describes_columns_nullability_and_metadata(engine: LocalEngine) -> None:
    engine.execute(
        "CREATE TABLE main.default.ledger (id BIGINT NOT NULL COMMENT 'row id', amount DECIMAL(10,2))"
        " USING DELTA COMMENT 'the ledger' TBLPROPERTIES ('quality' = 'gold')",
        principal="owner@example.com",
    )
    table = engine.get_table("main.default.ledger")
    assert (table.full_name, table.table_type, table.data_source_format) == (
        "main.default.ledger",
        "MANAGED",
        "DELTA",
    )
    assert [(c.name, c.type_name, c.type_text, c.nullable, c.comment) for c in table.columns] == [
        ("id", "LONG", "BIGINT", False, "row id"),
        ("amount", "DECIMAL", "DECIMAL(10,2)", True, None),
    ]
    assert table.comment == "the ledger"
    assert table.properties == {"quality": "gold"}
    assert table.owner == "owner@example.com"
    assert table.created_at is not None


def test_alter_table_keeps_metadata_in_step(engine: LocalEngine) -> None:
    engine.execute("CREATE TABLE main.default.t (a INT) TBLPROPERTIES ('x' = '1')")
    engine.execute("ALTER TABLE t SET TBLPROPERTIES ('y' = '2')")
    engine.execute("ALTER TABLE t ADD COLUMNS (b STRING COMMENT 'bee', c DATE)")
    engine.execute("COMMENT ON TABLE t IS 'tee'")
    engine.execute("ALTER TABLE t RENAME TO t2")
    table = engine.get_table("main.default.t2")
    assert table.properties == {"x": "1", "y": "2"}
    assert [(c.name, c.comment) for c in table.columns] == [("a", None), ("b", "bee"), ("c", None)]
    assert table.comment == "tee"
    with pytest.raises(NotFound):
        engine.get_table("main.default.t")


def test_introspection_lists_catalogs_schemas_and_tables(engine: LocalEngine) -> None:
    engine.execute("CREATE SCHEMA main.gov")
    engine.execute("CREATE TABLE main.gov.a (x INT)")
    engine.execute("CREATE VIEW main.gov.v AS SELECT x FROM main.gov.a")
    assert engine.list_catalogs() == ["main"]
    assert engine.list_schemas("main") == ["default", "gov"]
    tables = engine.list_tables("main", "gov")
    assert [(t.name, t.table_type) for t in tables] == [("a", "MANAGED"), ("v", "VIEW")]
    assert tables[1].view_definition is not None and "main.gov.a" in tables[1].view_definition
    with pytest.raises(NotFound, match="SCHEMA_NOT_FOUND"):
        engine.list_tables("main", "nope")
    with pytest.raises(NotFound, match="TABLE_OR_VIEW_NOT_FOUND"):
        engine.get_table("main.gov.nope")
    with pytest.raises(NotFound):
        engine.get_table("nocatalog.gov.a")


def test_drop_table_schema_and_catalog(engine: LocalEngine) -> None:
    engine.execute("CREATE CATALOG tmp")
    engine.execute("CREATE SCHEMA tmp.s")
    engine.execute("CREATE TABLE tmp.s.t (a INT) COMMENT 'gone soon'")
    with pytest.raises(Conflict, match="CATALOG_NOT_EMPTY"):
        engine.execute("DROP CATALOG tmp")
    engine.execute("DROP TABLE tmp.s.t")
    engine.execute("CREATE TABLE tmp.s.t (a INT)")
    assert engine.get_table("tmp.s.t").comment is None
    engine.execute("DROP SCHEMA tmp.s CASCADE")
    engine.execute("DROP CATALOG tmp CASCADE")
    engine.execute("DROP CATALOG IF EXISTS tmp")
    assert engine.list_catalogs() == ["main"]


def test_data_persists_across_close_and_reopen(tmp_path: Path) -> None:
    with LocalEngine(tmp_path) as first:
        first.execute("CREATE CATALOG gov")
        first.execute("CREATE SCHEMA gov.audit")
        first.execute("CREATE TABLE gov.audit.events (id INT, at TIMESTAMP) COMMENT 'kept'")
        first.execute("INSERT INTO gov.audit.events VALUES (1, current_timestamp())")
        first.execute("CREATE TABLE notes (n STRING)")
        first.execute("INSERT INTO notes VALUES ('kept')")
    with LocalEngine(tmp_path) as second:
        assert second.list_catalogs() == ["gov", "main"]
        assert second.execute("SELECT count(*) FROM gov.audit.events").scalar() == 1
        assert second.execute("SELECT n FROM main.default.notes").scalar() == "kept"
        assert second.get_table("gov.audit.events").comment == "kept"
    assert (tmp_path / "catalogs" / "gov.duckdb").exists()


def test_dropped_catalog_does_not_come_back_after_reopen(tmp_path: Path) -> None:
    with LocalEngine(tmp_path) as first:
        first.execute("CREATE CATALOG scratch")
        first.execute("DROP CATALOG scratch")
    with LocalEngine(tmp_path) as second:
        assert second.list_catalogs() == ["main"]


def test_statement_namespace_can_be_chosen_per_call(engine: LocalEngine) -> None:
    engine.execute("CREATE CATALOG other")
    engine.execute("CREATE SCHEMA other.s")
    engine.execute("CREATE TABLE t (a INT)", catalog="other", schema="s")
    engine.execute("INSERT INTO t VALUES (5)", catalog="other", schema="s")
    assert engine.execute("SELECT a FROM other.s.t").scalar() == 5
    assert engine.execute(
        "SELECT current_catalog(), current_schema()", catalog="other", schema="s"
    ).rows == [("other", "s")]


def test_the_default_catalog_cannot_be_dropped(engine: LocalEngine) -> None:
    from appkit_domain.errors import InvalidInput

    with pytest.raises(InvalidInput, match="FORBIDDEN_OPERATION"):
        engine.execute("DROP CATALOG main CASCADE")
    assert engine.list_catalogs() == ["main"]


def test_a_data_dir_in_use_by_another_engine_is_unavailable(tmp_path: Path) -> None:
    from appkit_domain.errors import Unavailable

    with LocalEngine(tmp_path) as first:
        with pytest.raises(Unavailable, match="IO_ERROR"):
            LocalEngine(tmp_path)
        assert first.execute("SELECT 1").scalar() == 1


def test_show_statements_may_start_with_comments(engine: LocalEngine) -> None:
    assert engine.execute("-- which catalogs?\n/* all */ SHOW CATALOGS;").rows == [("main",)]
