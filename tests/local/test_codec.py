"""The wire value codec: each type's format, and decode(encode(v)) == v for every type."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appkit_adapters.sql.codec import decode_value, encode_value
from appkit_adapters.sql.type_text import SqlType, parse_type_text, wire_type_name
from appkit_domain.errors import InvalidInput

UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("value", "type_name", "wire"),
    [
        (Decimal("12.50"), "DECIMAL", "12.50"),
        (Decimal("1E+3"), "DECIMAL", "1000"),
        (Decimal("-0.000001"), "DECIMAL", "-0.000001"),
        (dt.datetime(2024, 3, 1, 10, 0, tzinfo=UTC), "TIMESTAMP", "2024-03-01T10:00:00.000Z"),
        (
            dt.datetime(2024, 3, 1, 12, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "TIMESTAMP",
            "2024-03-01T10:00:00.123456Z",
        ),
        (dt.datetime(2024, 3, 1, 10, 0), "TIMESTAMP_NTZ", "2024-03-01T10:00:00.000"),
        (dt.date(2024, 2, 29), "DATE", "2024-02-29"),
        (True, "BOOLEAN", "true"),
        (False, "BOOLEAN", "false"),
        (b"\x00\xffhi", "BINARY", "AP9oaQ=="),
        (42, "LONG", "42"),
        (-7, "INT", "-7"),
        (0.1, "DOUBLE", "0.1"),
        (math.inf, "DOUBLE", "Infinity"),
        ("héllo", "STRING", "héllo"),
        ([1, 2, None], "ARRAY", "[1,2,null]"),
        ({"a": 1, "b": "x"}, "STRUCT", '{"a":1,"b":"x"}'),
        (None, "STRING", None),
        (
            dt.timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=500000),
            "INTERVAL",
            "INTERVAL '1 02:03:04.5' DAY TO SECOND",
        ),
    ],
)
def test_each_type_has_its_wire_format(value: Any, type_name: str, wire: str | None) -> None:
    assert encode_value(value, type_name) == wire


def test_nested_decimals_are_exact_json_numbers() -> None:
    wire = encode_value([Decimal("0.10"), Decimal("12.345")], "ARRAY", "ARRAY<DECIMAL(10,3)>")
    assert wire == "[0.10,12.345]"
    assert decode_value(wire, "ARRAY", "ARRAY<DECIMAL(10,3)>") == [
        Decimal("0.10"),
        Decimal("12.345"),
    ]


def test_timestamp_decoding_accepts_the_forms_warehouses_send() -> None:
    expected = dt.datetime(2020, 1, 1, tzinfo=UTC)
    for text in ("2020-01-01T00:00:00.000Z", "2020-01-01 00:00:00", "2020-01-01T01:00:00+01:00"):
        assert decode_value(text, "TIMESTAMP") == expected
    assert decode_value("2020-01-01T00:00:00.123456789Z", "TIMESTAMP").microsecond == 123456


def test_bigint_type_names_are_accepted_in_wire_and_sql_spelling() -> None:
    assert decode_value("9007199254740993", "LONG") == 9007199254740993
    assert decode_value("9007199254740993", "BIGINT") == 9007199254740993
    assert wire_type_name("BIGINT") == "LONG"
    assert wire_type_name("smallint") == "SHORT"


def test_a_value_that_does_not_fit_its_type_is_refused() -> None:
    with pytest.raises(InvalidInput):
        encode_value("12", "INT")
    with pytest.raises(InvalidInput):
        decode_value("maybe", "BOOLEAN")
    with pytest.raises(InvalidInput):
        decode_value("not-base64!", "BINARY")


def test_type_text_parses_nested_types_in_both_spellings() -> None:
    assert parse_type_text("struct<a:int,b:array<decimal(10,2)>>") == parse_type_text(
        "STRUCT<a: INT, b: ARRAY<DECIMAL(10,2)>>"
    )
    assert parse_type_text("MAP<STRING, BIGINT>") == SqlType(
        "MAP", key=SqlType("STRING"), value=SqlType("BIGINT")
    )


decimals = st.decimals(allow_nan=False, allow_infinity=False, places=4).filter(
    lambda d: abs(d) < Decimal("1e30")
)
aware = st.datetimes(
    min_value=dt.datetime(2, 1, 1),
    max_value=dt.datetime(9998, 12, 31),
    timezones=st.sampled_from([UTC, dt.timezone(dt.timedelta(hours=-5, minutes=-30))]),
)
naive = st.datetimes()
SCALARS: list[tuple[str, st.SearchStrategy[Any]]] = [
    ("DECIMAL", decimals),
    ("BIGINT", st.integers(min_value=-(2**63), max_value=2**63 - 1)),
    ("INT", st.integers(min_value=-(2**31), max_value=2**31 - 1)),
    ("SMALLINT", st.integers(min_value=-(2**15), max_value=2**15 - 1)),
    ("TINYINT", st.integers(min_value=-128, max_value=127)),
    ("DOUBLE", st.floats(allow_nan=False)),
    ("FLOAT", st.floats(width=32, allow_nan=False)),
    ("BOOLEAN", st.booleans()),
    ("DATE", st.dates()),
    ("TIMESTAMP", aware),
    ("TIMESTAMP_NTZ", naive),
    ("BINARY", st.binary(max_size=64)),
    ("STRING", st.text(max_size=64)),
    ("INTERVAL", st.timedeltas()),
]


@pytest.mark.parametrize(("type_name", "strategy"), SCALARS, ids=[name for name, _ in SCALARS])
def test_scalar_values_round_trip(type_name: str, strategy: st.SearchStrategy[Any]) -> None:
    @given(st.none() | strategy)
    def check(value: Any) -> None:
        assert decode_value(encode_value(value, type_name), type_name) == value

    check()


@given(
    st.lists(st.none() | decimals, max_size=5),
    st.dictionaries(st.integers(-1000, 1000), st.none() | aware, max_size=4),
    st.fixed_dictionaries(
        {"name": st.text(max_size=10), "raw": st.binary(max_size=8), "on": st.dates()}
    ),
)
def test_nested_values_round_trip_with_their_type_text(
    items: list[Decimal | None], stamps: dict[int, dt.datetime | None], record: dict[str, Any]
) -> None:
    cases = [
        (items, "ARRAY", "ARRAY<DECIMAL(38,4)>"),
        (stamps, "MAP", "MAP<INT, TIMESTAMP>"),
        (record, "STRUCT", "STRUCT<name: STRING, raw: BINARY, on: DATE>"),
    ]
    for value, type_name, type_text in cases:
        wire = encode_value(value, type_name, type_text)
        assert decode_value(wire, type_name, type_text) == value
