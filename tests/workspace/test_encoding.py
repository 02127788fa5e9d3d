"""The column-wise batch encoder writes exactly what the per-row encoder writes."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from appkit_testing.workspace.statements.encoding import batch_encoder, row_encoder

COLUMNS = [
    ("LONG", "BIGINT"),
    ("STRING", "STRING"),
    ("DECIMAL", "DECIMAL(38,10)"),
    ("DOUBLE", "DOUBLE"),
    ("BOOLEAN", "BOOLEAN"),
    ("DATE", "DATE"),
]

rows = st.lists(
    st.tuples(
        st.none() | st.integers(-(2**63), 2**63 - 1),
        st.none() | st.text(max_size=5),
        st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=4),
        st.none() | st.floats(allow_nan=True, allow_infinity=True),
        st.none() | st.booleans(),
        st.none() | st.dates(),
    ),
    min_size=1,
    max_size=20,
)


@settings(max_examples=60)
@given(rows)
def test_batch_and_row_encoders_agree(batch: list[tuple[object, ...]]) -> None:
    wire, size = batch_encoder(COLUMNS)(batch)
    per_row = [row_encoder(COLUMNS)(row) for row in batch]
    assert [list(row) for row in wire] == per_row
    assert size > 0


def test_special_values_keep_their_wire_names() -> None:
    batch = [
        (1, "a", Decimal("1E+2"), math.nan, True, dt.date(2024, 2, 29)),
        (2, "b", Decimal("0.0000001"), -math.inf, False, dt.date(1999, 1, 1)),
    ]
    wire, _ = batch_encoder(COLUMNS)(batch)
    assert wire[0][2:] == ("100", "NaN", "true", "2024-02-29")
    assert wire[1][2:4] == ("0.0000001", "-Infinity")
    assert json.loads(json.dumps(wire)) == [list(row) for row in wire]
