"""Every value the engine returns survives the wire: decode(encode(v, type), type) == v,
using the column's own type_name and type_text."""

from __future__ import annotations

from appkit_adapters.local import LocalEngine
from appkit_adapters.sql.codec import decode_value, encode_value
from appkit_adapters.sql.type_text import parse_type_text

EXPRESSIONS = [
    "CAST(12.50 AS DECIMAL(10,2))",
    "CAST(9007199254740993 AS BIGINT)",
    "CAST(7 AS INT)",
    "CAST(3 AS SMALLINT)",
    "CAST(1 AS TINYINT)",
    "1.25D",
    "CAST(0.5 AS FLOAT)",
    "true",
    "DATE'2024-02-29'",
    "TIMESTAMP'2024-03-01 10:00:00.123456'",
    "to_timestamp('2024-03-01 10:00:00')",
    "X'00FF10'",
    "'text with \"quotes\" and ümlauts'",
    "array(1, 2, NULL)",
    "array(CAST(1.5 AS DECIMAL(4,2)), NULL)",
    "map('k', DATE'2024-01-01')",
    "named_struct('a', 1, 'b', named_struct('c', array('x')), 'd', TIMESTAMP'2024-01-01 00:00:00')",
    "CAST(NULL AS STRING)",
    "TIMESTAMP'2024-01-02 03:00:00' - TIMESTAMP'2024-01-01 00:00:00'",
]


def test_engine_values_round_trip_through_the_codec(engine: LocalEngine) -> None:
    select = ", ".join(f"{expression} AS c{i}" for i, expression in enumerate(EXPRESSIONS))
    result = engine.execute(f"SELECT {select}")
    assert len(result.columns) == len(EXPRESSIONS)
    for column, value in zip(result.columns, result.rows[0]):
        parse_type_text(column.type_text)  # every type text the engine reports parses
        wire = encode_value(value, column.type_name, column.type_text)
        assert wire is None or isinstance(wire, str)
        decoded = decode_value(wire, column.type_name, column.type_text)
        assert decoded == value, (column, value, wire)


def test_values_encoded_without_type_text_decode_with_it(engine: LocalEngine) -> None:
    """The emulator encodes by type name alone; clients decode with the full type text."""
    select = ", ".join(f"{expression} AS c{i}" for i, expression in enumerate(EXPRESSIONS))
    result = engine.execute(f"SELECT {select}")
    for column, value in zip(result.columns, result.rows[0]):
        wire = encode_value(value, column.type_name)
        assert decode_value(wire, column.type_name, column.type_text) == value, (column, wire)
