"""Unity Catalog SQL functions on the local engine: created, called, replaced, described,
dropped, and kept across a restart."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from appkit_adapters.local import LocalEngine, UnsupportedStatement
from appkit_domain.errors import Conflict, InvalidInput, NotFound

TAX = (
    "CREATE FUNCTION main.default.with_tax(price DECIMAL(10,2), rate DOUBLE DEFAULT 0.2)"
    " RETURNS DECIMAL(12,2) COMMENT 'price with tax' RETURN price * (1 + rate)"
)


def _rows(engine: LocalEngine, statement: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in engine.execute(statement).rows]


def test_a_scalar_function_is_called_with_its_defaults_and_types(engine: LocalEngine) -> None:
    engine.execute(TAX)
    assert _rows(engine, "SELECT with_tax(10), main.default.with_tax(10, 0.5)") == [
        (Decimal("12.00"), Decimal("15.00"))
    ]
    result = engine.execute("SELECT default.with_tax(1) AS t")
    assert result.columns[0].type_text == "DECIMAL(12,2)"
    engine.execute(
        "CREATE TABLE prices AS SELECT CAST(id AS DECIMAL(10,2)) AS p FROM range(3) AS r(id)"
    )
    assert _rows(engine, "SELECT p FROM prices WHERE with_tax(p) > 1 ORDER BY p") == [
        (Decimal("1.00"),),
        (Decimal("2.00"),),
    ]


def test_a_table_function_returns_its_declared_columns(engine: LocalEngine) -> None:
    engine.execute(
        "CREATE TABLE t AS SELECT id, concat('n', CAST(id AS STRING)) AS name FROM range(5) AS r(id)"
    )
    engine.execute(
        "CREATE FUNCTION first_n(n INT) RETURNS TABLE (id BIGINT, label STRING)"
        " RETURN SELECT id, name FROM t WHERE id < n"
    )
    result = engine.execute("SELECT * FROM first_n(2) ORDER BY id")
    assert [c.name for c in result.columns] == ["id", "label"]
    assert [tuple(r) for r in result.rows] == [(0, "n0"), (1, "n1")]
    assert _rows(engine, "SELECT count(*) FROM main.default.first_n(4)") == [(4,)]


def test_replace_if_not_exists_and_drop(engine: LocalEngine) -> None:
    engine.execute("CREATE FUNCTION twice(x INT) RETURNS INT RETURN x * 2")
    with pytest.raises(Conflict, match="ROUTINE_ALREADY_EXISTS"):
        engine.execute("CREATE FUNCTION twice(x INT) RETURNS INT RETURN x")
    engine.execute("CREATE FUNCTION IF NOT EXISTS twice(x INT) RETURNS INT RETURN x")
    assert _rows(engine, "SELECT twice(3)") == [(6,)]
    engine.execute("CREATE OR REPLACE FUNCTION twice(x INT) RETURNS INT RETURN x * 3")
    assert _rows(engine, "SELECT twice(3)") == [(9,)]
    engine.execute("CREATE FUNCTION shout(s STRING) RETURNS STRING RETURN upper(s) || twice(1)")
    assert _rows(engine, "SELECT shout('a')") == [("A3",)]
    engine.execute("DROP FUNCTION twice")
    with pytest.raises(InvalidInput, match="UNRESOLVED_ROUTINE"):
        engine.execute("SELECT twice(3)")
    engine.execute("DROP FUNCTION IF EXISTS twice")
    with pytest.raises(NotFound, match="ROUTINE_NOT_FOUND"):
        engine.execute("DROP FUNCTION twice")


def test_functions_are_described_and_listed(engine: LocalEngine) -> None:
    engine.execute(TAX)
    lines = [r[0] for r in engine.execute("DESCRIBE FUNCTION EXTENDED with_tax").rows]
    assert lines[0] == "Function: main.default.with_tax"
    assert "Comment:  price with tax" in lines
    listed = engine.list_functions("main", "default")
    assert [(f.name, f.returns, [p.name for p in f.parameters]) for f in listed] == [
        ("with_tax", "DECIMAL(12, 2)", ["price", "rate"])
    ]
    assert engine.get_function("main.default.with_tax").comment == "price with tax"
    with pytest.raises(NotFound):
        engine.get_function("main.default.nope")


def test_functions_outlive_a_restart(tmp_path: Path) -> None:
    with LocalEngine(tmp_path) as engine:
        engine.execute(TAX)
    with LocalEngine(tmp_path) as engine:
        assert _rows(engine, "SELECT with_tax(100)") == [(Decimal("120.00"),)]


@pytest.mark.parametrize(
    ("statement", "construct"),
    [
        ("CREATE TEMPORARY FUNCTION f(x INT) RETURNS INT RETURN x", "TEMPORARY"),
        ("CREATE FUNCTION f(x INT) RETURNS INT LANGUAGE PYTHON AS $$ return x $$", "PYTHON"),
    ],
)
def test_functions_the_engine_cannot_run_are_refused(
    engine: LocalEngine, statement: str, construct: str
) -> None:
    with pytest.raises((UnsupportedStatement, InvalidInput), match=construct):
        engine.execute(statement)
