"""The first ring of the local engine: create, write with parameters, read typed rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from appkit_adapters.local import LocalEngine
from appkit_adapters.sql.warehouse import SqlParameter
from appkit_domain.errors import InvalidInput, NotFound

UTC = dt.timezone.utc


def test_insert_with_typed_parameters_reads_back_python_values(engine: LocalEngine) -> None:
    engine.execute(
        "CREATE TABLE main.default.payments (id BIGINT NOT NULL, amount DECIMAL(10,2),"
        " paid_at TIMESTAMP, due DATE, ok BOOLEAN, note STRING, ratio DOUBLE) USING DELTA"
    )
    inserted = engine.execute(
        "INSERT INTO payments VALUES (:id, :amount, :paid_at, :due, :ok, :note, :ratio)",
        [
            SqlParameter("id", "7", "BIGINT"),
            SqlParameter("amount", "12.345", "DECIMAL(10,2)"),
            SqlParameter("paid_at", "2024-03-01T10:00:00Z", "TIMESTAMP"),
            SqlParameter("due", "2024-03-31", "DATE"),
            SqlParameter("ok", "true", "BOOLEAN"),
            SqlParameter("note", "x'); DROP TABLE payments; --", "STRING"),
            SqlParameter("ratio", "0.5", "DOUBLE"),
        ],
    )
    assert inserted.affected_rows == 1
    result = engine.execute("SELECT * FROM payments")
    assert result.rows == [
        (
            7,
            Decimal("12.35"),
            dt.datetime(2024, 3, 1, 10, tzinfo=UTC),
            dt.date(2024, 3, 31),
            True,
            "x'); DROP TABLE payments; --",
            0.5,
        )
    ]
    assert [(c.name, c.type_name, c.type_text) for c in result.columns] == [
        ("id", "LONG", "BIGINT"),
        ("amount", "DECIMAL", "DECIMAL(10,2)"),
        ("paid_at", "TIMESTAMP", "TIMESTAMP"),
        ("due", "DATE", "DATE"),
        ("ok", "BOOLEAN", "BOOLEAN"),
        ("note", "STRING", "STRING"),
        ("ratio", "DOUBLE", "DOUBLE"),
    ]


def test_mapping_parameters_bind_with_inferred_types(engine: LocalEngine) -> None:
    row = engine.execute(
        "SELECT :n + 1 AS n, :d AS d, :at AS w, :flag AS f",
        {"n": 41, "d": Decimal("1.50"), "at": dt.datetime(2024, 1, 1, tzinfo=UTC), "flag": False},
    ).rows[0]
    assert row == (42, Decimal("1.50"), dt.datetime(2024, 1, 1, tzinfo=UTC), False)


def test_missing_parameter_is_refused_with_its_name(engine: LocalEngine) -> None:
    with pytest.raises(InvalidInput, match=r"\[UNBOUND_SQL_PARAMETER\].*who") as caught:
        engine.execute("SELECT :who")
    assert caught.value.details["sql_state"] == "42P02"


def test_missing_table_is_not_found_with_databricks_error_class(engine: LocalEngine) -> None:
    with pytest.raises(NotFound, match=r"\[TABLE_OR_VIEW_NOT_FOUND\]") as caught:
        engine.execute("SELECT * FROM main.default.nope")
    assert caught.value.details == {"error_class": "TABLE_OR_VIEW_NOT_FOUND", "sql_state": "42P01"}
    assert "uc__" not in caught.value.message


def test_bad_syntax_is_invalid_input_with_parse_syntax_error(engine: LocalEngine) -> None:
    with pytest.raises(InvalidInput, match=r"\[PARSE_SYNTAX_ERROR\]") as caught:
        engine.execute("SELEC 1 FROM")
    assert caught.value.details["sql_state"] == "42601"


def test_current_user_is_the_executing_principal(engine: LocalEngine) -> None:
    result = engine.execute("SELECT current_user() AS who", principal="alice@example.com")
    assert result.scalar() == "alice@example.com"


def test_row_limit_truncates_and_says_so(engine: LocalEngine) -> None:
    result = engine.execute("SELECT id FROM range(10) AS r(id)", row_limit=3)
    assert [row[0] for row in result.rows] == [0, 1, 2]
    assert result.truncated
