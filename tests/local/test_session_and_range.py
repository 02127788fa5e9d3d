"""Session functions, result column names and range() answer as on Databricks SQL."""

from __future__ import annotations

import pytest

from appkit_adapters.local import LocalEngine


def test_range_yields_a_bigint_column_named_id(engine: LocalEngine) -> None:
    result = engine.execute("SELECT id FROM range(250000) WHERE id % 100000 = 0")
    assert [(c.name, c.type_text) for c in result.columns] == [("id", "BIGINT")]
    assert result.rows == [(0,), (100000,), (200000,)]
    assert engine.execute("SELECT * FROM range(1, 10, 4) AS r").rows == [(1,), (5,), (9,)]


def test_current_database_and_schema_are_the_statement_schema(engine: LocalEngine) -> None:
    result = engine.execute(
        "SELECT current_catalog(), current_database(), current_schema()", schema="default"
    )
    assert [c.name for c in result.columns] == [
        "current_catalog()",
        "current_database()",
        "current_schema()",
    ]
    assert result.rows == [("main", "default", "default")]


def test_group_membership_follows_the_executing_principal(engine: LocalEngine) -> None:
    statement = "SELECT current_user(), is_account_group_member('finance'), is_member('hr')"
    assert engine.execute(statement, principal="ann@x.com", groups=["finance"]).rows == [
        ("ann@x.com", True, False)
    ]
    assert engine.execute(statement, principal="bob@x.com").rows == [("bob@x.com", False, False)]


@pytest.mark.parametrize(
    ("expression", "name"),
    [
        ("count(*)", "count(1)"),
        ("upper('abc')", "upper(abc)"),
        ("1 + 2", "(1 + 2)"),
        ("abs(-1)", "abs(-1)"),
        ("DATE'2020-01-01'", "DATE '2020-01-01'"),
        ("NOT true", "(NOT true)"),
    ],
)
def test_unaliased_columns_get_databricks_names(
    engine: LocalEngine, expression: str, name: str
) -> None:
    assert engine.execute(f"SELECT {expression}").columns[0].name == name


def test_integer_overflow_is_an_arithmetic_overflow(engine: LocalEngine) -> None:
    with pytest.raises(Exception, match=r"\[ARITHMETIC_OVERFLOW\]"):
        engine.execute("SELECT 2147483647 + 1")


def test_names_with_hyphens_work_when_quoted(engine: LocalEngine) -> None:
    engine.execute("CREATE SCHEMA main.`sales-eu`")
    engine.execute("CREATE TABLE main.`sales-eu`.`t-1` (a INT)")
    engine.execute("INSERT INTO main.`sales-eu`.`t-1` VALUES (1)")
    assert engine.execute("SELECT a FROM main.`sales-eu`.`t-1`").rows == [(1,)]
    assert [t.name for t in engine.list_tables("main", "sales-eu")] == ["t-1"]


def test_information_schema_lists_tables_and_columns_per_catalog(engine: LocalEngine) -> None:
    engine.execute("CREATE SCHEMA main.shop")
    engine.execute("CREATE TABLE main.shop.items (id BIGINT, price DECIMAL(10,2) COMMENT 'eur')")
    tables = engine.execute(
        "SELECT table_schema, table_name, table_type, data_source_format"
        " FROM main.information_schema.tables WHERE table_schema = 'shop'"
    )
    assert tables.rows == [("shop", "items", "MANAGED", "DELTA")]
    columns = engine.execute(
        "SELECT column_name, ordinal_position, full_data_type, data_type, comment"
        " FROM information_schema.columns WHERE table_name = 'items' ORDER BY ordinal_position"
    )
    assert columns.rows == [
        ("id", 0, "bigint", "BIGINT", None),
        ("price", 1, "decimal(10,2)", "DECIMAL", "eur"),
    ]
    schemata = engine.execute("SELECT schema_name FROM main.information_schema.schemata")
    assert {row[0] for row in schemata.rows} == {"default", "shop", "information_schema"}


def test_generators_in_the_select_list_name_their_columns(engine: LocalEngine) -> None:
    result = engine.execute("SELECT explode(map('a', 1, 'b', 2))")
    assert [c.name for c in result.columns] == ["key", "value"]
    assert result.rows == [("a", 1), ("b", 2)]
    assert engine.execute("SELECT posexplode(array(10, 20))").rows == [(0, 10), (1, 20)]
    outer = engine.execute(
        "SELECT c, n FROM VALUES (1, array(10)), (2, array()) AS t(c, a)"
        " LATERAL VIEW OUTER explode(a) x AS n ORDER BY c"
    )
    assert outer.rows == [(1, 10), (2, None)]
