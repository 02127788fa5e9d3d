"""The Databricks SQL the toolkit writes runs on the local engine with the expected rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from appkit_adapters.local import LocalEngine

UTC = dt.timezone.utc

SETUP = [
    "CREATE SCHEMA IF NOT EXISTS main.finance",
    "CREATE TABLE main.finance.sales (region STRING, rep STRING, amount DECIMAL(10,2),"
    " sold_on DATE, sold_at TIMESTAMP) USING DELTA COMMENT 'sales lines'"
    " TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')",
    "INSERT INTO main.finance.sales VALUES"
    " ('eu', 'ann', 10.00, DATE'2024-01-05', TIMESTAMP'2024-01-05 10:00:00'),"
    " ('eu', 'bob', 30.00, DATE'2024-01-20', TIMESTAMP'2024-01-20 11:00:00'),"
    " ('us', 'cat', 20.00, DATE'2024-02-01', TIMESTAMP'2024-02-01 09:30:00'),"
    " ('us', 'dan', 25.00, DATE'2024-02-03', TIMESTAMP'2024-02-03 08:00:00')",
]


@pytest.fixture(scope="module")
def sales() -> Iterator[LocalEngine]:
    with LocalEngine() as engine:
        for statement in SETUP:
            engine.execute(statement)
        yield engine


CORPUS: list[tuple[str, str, dict[str, Any] | None, list[tuple[Any, ...]]]] = [
    (
        "row_number_sum_and_lag_over_partitions",
        "SELECT rep, row_number() OVER (PARTITION BY region ORDER BY amount DESC) AS rn,"
        " sum(amount) OVER (PARTITION BY region) AS total,"
        " lag(amount) OVER (PARTITION BY region ORDER BY sold_on) AS prev"
        " FROM main.finance.sales ORDER BY region, rn",
        None,
        [
            ("bob", 1, Decimal("40.00"), Decimal("10.00")),
            ("ann", 2, Decimal("40.00"), None),
            ("dan", 1, Decimal("45.00"), Decimal("20.00")),
            ("cat", 2, Decimal("45.00"), None),
        ],
    ),
    (
        "qualify_keeps_the_top_row_per_partition",
        "SELECT region, rep FROM finance.sales"
        " QUALIFY row_number() OVER (PARTITION BY region ORDER BY amount DESC) = 1 ORDER BY region",
        None,
        [("eu", "bob"), ("us", "dan")],
    ),
    (
        "dense_rank_in_a_cte",
        "WITH ranked AS (SELECT rep, dense_rank() OVER (ORDER BY amount DESC) AS dr"
        " FROM main.finance.sales) SELECT rep FROM ranked WHERE dr <= 2 ORDER BY dr",
        None,
        [("bob",), ("dan",)],
    ),
    (
        "date_functions_return_databricks_types",
        "SELECT date_add(sold_on, 30), date_sub(sold_on, 1), datediff(DATE'2024-03-01', sold_on),"
        " date_trunc('MONTH', sold_at), to_date('2024-01-31'), add_months(sold_on, 1),"
        " last_day(sold_on), dayofweek(sold_on)"
        " FROM main.finance.sales WHERE rep = :rep",
        {"rep": "ann"},
        [
            (
                dt.date(2024, 2, 4),
                dt.date(2024, 1, 4),
                56,
                dt.datetime(2024, 1, 1, tzinfo=UTC),
                dt.date(2024, 1, 31),
                dt.date(2024, 2, 5),
                dt.date(2024, 1, 31),
                6,  # 2024-01-05 is a Friday; Databricks counts Sunday as 1
            )
        ],
    ),
    (
        "timestamp_functions",
        "SELECT date_format(sold_at, 'yyyy-MM-dd HH:mm'), unix_timestamp(sold_at),"
        " timestampadd(HOUR, 2, sold_at), to_timestamp('2024-01-01 10:00:00')"
        " FROM main.finance.sales WHERE rep = 'ann'",
        None,
        [
            (
                "2024-01-05 10:00",
                1704448800,
                dt.datetime(2024, 1, 5, 12, tzinfo=UTC),
                dt.datetime(2024, 1, 1, 10, tzinfo=UTC),  # to_timestamp gives a TIMESTAMP
            )
        ],
    ),
    (
        "grouped_aggregates_with_collect_list",
        "SELECT region, collect_list(rep) AS reps, count(*) AS n, sum(amount) AS s,"
        " max(sold_on) AS last_sale FROM main.finance.sales GROUP BY region ORDER BY region",
        None,
        [
            ("eu", ["ann", "bob"], 2, Decimal("40.00"), dt.date(2024, 1, 20)),
            ("us", ["cat", "dan"], 2, Decimal("45.00"), dt.date(2024, 2, 3)),
        ],
    ),
    (
        "filter_clause_and_group_by_all",
        "SELECT region, sum(amount) FILTER (WHERE amount > 15) AS big FROM main.finance.sales"
        " GROUP BY ALL ORDER BY region",
        None,
        [("eu", Decimal("30.00")), ("us", Decimal("45.00"))],
    ),
    (
        "parameters_of_several_types_in_a_where_clause",
        "SELECT rep FROM main.finance.sales WHERE amount >= :min_amount AND sold_on < :before"
        " AND sold_at > :after AND region IN (:a, :b) ORDER BY rep",
        {
            "min_amount": Decimal("20"),
            "before": dt.date(2024, 2, 3),
            "after": dt.datetime(2024, 1, 1, tzinfo=UTC),
            "a": "eu",
            "b": "us",
        },
        [("bob",), ("cat",)],
    ),
    (
        "nested_values_come_back_as_python_structures",
        "SELECT named_struct('a', 1, 'b', 'x'), map('k', 1), array(1, 2), explode(array('p'))",
        None,
        [({"a": 1, "b": "x"}, {"k": 1}, [1, 2], "p")],
    ),
    (
        "string_and_conditional_functions",
        "SELECT coalesce(NULL, 1), nvl(NULL, 'x'), if(1 > 0, 'y', 'n'), concat_ws('-', 'a', 'b'),"
        " upper('a'), substring('hello', 2, 3), split('a,b', ','), lpad('1', 3, '0')",
        None,
        [(1, "x", "y", "a-b", "A", "ell", ["a", "b"], "001")],
    ),
    (
        "values_table_and_except_columns",
        "SELECT * EXCEPT (name) FROM VALUES (1, 'a'), (2, 'b') AS t(id, name) ORDER BY id",
        None,
        [(1,), (2,)],
    ),
    (
        "time_zone_conversions_and_format_string",
        "SELECT to_utc_timestamp(sold_at, 'Europe/Paris'), from_utc_timestamp(sold_at, 'Europe/Paris'),"
        " to_utc_timestamp('2024-07-01 10:00:00', 'America/New_York'), format_string('%s-%d', rep, 1)"
        " FROM main.finance.sales WHERE rep = 'ann'",
        None,
        [
            (
                dt.datetime(2024, 1, 5, 9, tzinfo=UTC),
                dt.datetime(2024, 1, 5, 11, tzinfo=UTC),
                dt.datetime(2024, 7, 1, 14, tzinfo=UTC),
                "ann-1",
            )
        ],
    ),
    (
        "casts_and_try_cast",
        "SELECT cast(amount AS STRING), cast('12' AS INT), try_cast('x' AS INT),"
        " amount::DECIMAL(12,4) FROM main.finance.sales WHERE rep = 'ann'",
        None,
        [("10.00", 12, None, Decimal("10.0000"))],
    ),
]


@pytest.mark.parametrize(
    ("statement", "parameters", "expected"),
    [case[1:] for case in CORPUS],
    ids=[case[0] for case in CORPUS],
)
def test_corpus_statement_returns_expected_rows(
    sales: LocalEngine,
    statement: str,
    parameters: dict[str, Any] | None,
    expected: list[tuple[Any, ...]],
) -> None:
    assert sales.execute(statement, parameters).rows == expected


def test_result_columns_carry_statement_execution_types(sales: LocalEngine) -> None:
    result = sales.execute(
        "SELECT amount, sold_on, sold_at, TIMESTAMP_NTZ'2024-01-01' AS ntz, array(1) AS a,"
        " map('k', 1) AS m, named_struct('x', 1) AS s, count(*) OVER () AS n, 1.5D AS d,"
        " CAST(1 AS SMALLINT) AS small, CAST(1 AS TINYINT) AS tiny, CAST(1 AS FLOAT) AS f,"
        " X'00' AS bin, true AS flag FROM main.finance.sales LIMIT 1"
    )
    assert [(c.type_name, c.type_text) for c in result.columns] == [
        ("DECIMAL", "DECIMAL(10,2)"),
        ("DATE", "DATE"),
        ("TIMESTAMP", "TIMESTAMP"),
        ("TIMESTAMP_NTZ", "TIMESTAMP_NTZ"),
        ("ARRAY", "ARRAY<INT>"),
        ("MAP", "MAP<STRING, INT>"),
        ("STRUCT", "STRUCT<x: INT>"),
        ("LONG", "BIGINT"),
        ("DOUBLE", "DOUBLE"),
        ("SHORT", "SMALLINT"),
        ("BYTE", "TINYINT"),
        ("FLOAT", "FLOAT"),
        ("BINARY", "BINARY"),
        ("BOOLEAN", "BOOLEAN"),
    ]
    assert [c.position for c in result.columns] == list(range(14))
    assert result.rows[0][12] == b"\x00"


def test_casts_to_integers_truncate_toward_zero(sales: LocalEngine) -> None:
    row = sales.execute(
        "SELECT CAST(amount / 4 AS INT), CAST(-amount / 4 AS BIGINT), CAST(2.7 AS INT),"
        " CAST(-2.7D AS SMALLINT), CAST(s.amount / 4 AS INT), CAST('12' AS INT)"
        " FROM main.finance.sales AS s WHERE rep = 'ann'"
    ).rows[0]
    assert row == (2, -2, 2, -2, 2, 12)


def test_decimal_division_and_average_stay_decimal(sales: LocalEngine) -> None:
    result = sales.execute(
        "SELECT avg(amount), sum(amount) / 3, amount / 4, 10.50 / 3, amount / 2.0D AS half"
        " FROM main.finance.sales WHERE region = 'eu' GROUP BY amount ORDER BY amount LIMIT 1"
    )
    assert [(c.name, c.type_text) for c in result.columns] == [
        ("avg(amount)", "DECIMAL(14,6)"),
        ("(sum(amount) / 3)", "DECIMAL(31,13)"),
        ("(amount / 4)", "DECIMAL(21,13)"),
        ("(10.50 / 3)", "DECIMAL(15,13)"),
        ("half", "DOUBLE"),
    ]
    assert result.rows == [
        (
            Decimal("10.000000"),
            Decimal("3.3333333333333"),
            Decimal("2.5000000000000"),
            Decimal("3.5000000000000"),
            5.0,
        )
    ]


def test_current_timestamp_is_an_aware_utc_instant(sales: LocalEngine) -> None:
    now = sales.execute("SELECT current_timestamp()").scalar()
    assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(0)


def test_division_by_zero_fails_as_under_ansi_mode(sales: LocalEngine) -> None:
    from appkit_domain.errors import InvalidInput

    with pytest.raises(InvalidInput, match=r"\[DIVIDE_BY_ZERO\]"):
        sales.execute("SELECT amount / (amount - amount) FROM main.finance.sales")
    assert sales.execute("SELECT try_divide(1, 0)").scalar() is None
    assert sales.execute("SELECT 5 / 2 AS half").scalar() == 2.5
