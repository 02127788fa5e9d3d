"""SQL the engine cannot run faithfully is refused, naming the construct; never a wrong answer."""

from __future__ import annotations

import pytest

from appkit_adapters.local import LocalEngine, UnsupportedStatement
from appkit_domain.errors import InvalidInput, NotFound


@pytest.fixture
def with_table(engine: LocalEngine) -> LocalEngine:
    engine.execute("CREATE TABLE main.default.t (a INT)")
    return engine


@pytest.mark.parametrize(
    ("statement", "construct"),
    [
        ("OPTIMIZE t WHERE a = 1", "OPTIMIZE ... WHERE"),
        ("VACUUM t USING INVENTORY inv", "USING INVENTORY"),
        ("DESCRIBE HISTORY delta.`/tmp/t`", "path"),
        ("INSERT OVERWRITE t PARTITION (a = 1) SELECT 1", "PARTITION"),
        ("CREATE TABLE ext (a INT) LOCATION 's3://bucket/path'", "LOCATION"),
        ("CREATE TABLE ident (id BIGINT GENERATED ALWAYS AS IDENTITY)", "IDENTITY"),
        ("CREATE TEMPORARY VIEW tv AS SELECT 1", "TEMPORARY VIEW"),
        ("USE CATALOG main", "USE"),
        ("GRANT SELECT ON TABLE t TO `someone@example.com`", "GRANT"),
        ("SELECT * FROM t WHERE a = ?", "positional parameter"),
        ("SELECT * FROM IDENTIFIER(:name)", "IDENTIFIER"),
        ("SHOW TBLPROPERTIES t", "SHOW TBLPROPERTIES"),
        ("SELECT * FROM read_csv('/etc/passwd')", "table function"),
        ("SELECT * FROM duckdb_tables()", "table function duckdb_tables"),
        ("SELECT getenv('HOME')", "function getenv"),
        ("SELECT hash(1)", "hash()"),
        (
            "MERGE WITH SCHEMA EVOLUTION INTO t USING t AS s ON t.a = s.a WHEN MATCHED THEN DELETE",
            "SCHEMA EVOLUTION",
        ),
        ("SELECT schema_of_json('[1]')", "schema_of_json()"),
        ("SELECT format_number(1.5, '#.#')", "format_number with a format pattern"),
        ("CREATE MATERIALIZED VIEW mv AS SELECT 1", "MATERIALIZED"),
    ],
)
def test_unsupported_sql_is_refused_naming_the_construct(
    with_table: LocalEngine, statement: str, construct: str
) -> None:
    with pytest.raises(UnsupportedStatement, match=r"\[UNSUPPORTED_FEATURE\]") as caught:
        with_table.execute(statement, {"name": "t"})
    assert construct in caught.value.message
    assert caught.value.details == {"error_class": "UNSUPPORTED_FEATURE", "sql_state": "0A000"}
    assert isinstance(caught.value, InvalidInput)


def test_engine_internals_stay_hidden(with_table: LocalEngine) -> None:
    assert with_table.list_schemas("main") == ["default"]
    assert [name for (name,) in with_table.execute("SHOW SCHEMAS").rows] == ["default"]
    with pytest.raises(NotFound, match="TABLE_OR_VIEW_NOT_FOUND"):
        with_table.execute("SELECT * FROM main.__appkit.tables")
    with pytest.raises(InvalidInput, match="reserved schema"):
        with_table.execute("CREATE SCHEMA main.information_schema")


def test_more_than_one_statement_is_refused(engine: LocalEngine) -> None:
    with pytest.raises(InvalidInput, match="MULTIPLE_STATEMENTS"):
        engine.execute("SELECT 1; SELECT 2")


def test_reserved_parameter_names_are_refused(engine: LocalEngine) -> None:
    with pytest.raises(InvalidInput, match="reserved"):
        engine.execute("SELECT :_appkit_principal", {"_appkit_principal": "mallory"})


def test_a_bad_parameter_type_is_refused(engine: LocalEngine) -> None:
    from appkit_adapters.sql.warehouse import SqlParameter

    with pytest.raises(InvalidInput, match="INVALID_PARAMETER_TYPE"):
        engine.execute("SELECT :x", [SqlParameter("x", "1", "NOT A TYPE(")])


def test_a_value_that_does_not_cast_is_invalid_input(engine: LocalEngine) -> None:
    from appkit_adapters.sql.warehouse import SqlParameter

    with pytest.raises(InvalidInput, match="CAST_INVALID_INPUT") as caught:
        engine.execute("SELECT :x", [SqlParameter("x", "abc", "INT")])
    assert caught.value.details["sql_state"] == "22018"


def test_an_unknown_function_is_an_unresolved_routine(engine: LocalEngine) -> None:
    with pytest.raises(InvalidInput, match=r"\[UNRESOLVED_ROUTINE\].*no_such_fn") as caught:
        engine.execute("SELECT no_such_fn(1234.5, 2)")
    assert caught.value.details["sql_state"] == "42883"


def test_unknown_column_is_unresolved(with_table: LocalEngine) -> None:
    with pytest.raises(InvalidInput, match=r"\[UNRESOLVED_COLUMN\].*nope") as caught:
        with_table.execute("SELECT nope FROM t")
    assert caught.value.details["sql_state"] == "42703"
