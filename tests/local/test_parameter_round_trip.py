"""Wire-encoded parameters (as the Statement Execution client sends them) bind to the values
they encode: SELECT :v returns the original Python value, with the declared type."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appkit_adapters.local import LocalEngine
from appkit_adapters.sql.codec import encode_value
from appkit_adapters.sql.type_text import wire_type_name
from appkit_adapters.sql.warehouse import SqlParameter

UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def shared() -> Iterator[LocalEngine]:
    with LocalEngine() as engine:
        yield engine


CASES: list[tuple[str, st.SearchStrategy[Any]]] = [
    (
        "DECIMAL(18,4)",
        st.decimals(
            min_value=Decimal("-99999999999999"), max_value=Decimal("99999999999999"), places=4
        ),
    ),
    ("BIGINT", st.integers(min_value=-(2**63), max_value=2**63 - 1)),
    ("INT", st.integers(min_value=-(2**31), max_value=2**31 - 1)),
    ("DOUBLE", st.floats(allow_nan=False, allow_infinity=False)),
    ("BOOLEAN", st.booleans()),
    ("DATE", st.dates(min_value=dt.date(1, 1, 1))),
    (
        "TIMESTAMP",
        st.datetimes(
            min_value=dt.datetime(1000, 1, 1),
            max_value=dt.datetime(9000, 1, 1),
            timezones=st.just(UTC),
        ),
    ),
    ("TIMESTAMP_NTZ", st.datetimes(min_value=dt.datetime(1000, 1, 1))),
    ("STRING", st.text(alphabet=st.characters(blacklist_categories=("Cs",), min_codepoint=1))),
]


@pytest.mark.parametrize(("type_text", "strategy"), CASES, ids=[c[0] for c in CASES])
def test_wire_encoded_parameter_binds_to_its_value(
    shared: LocalEngine, type_text: str, strategy: st.SearchStrategy[Any]
) -> None:
    type_name = type_text.split("(")[0]

    @settings(max_examples=25, deadline=None)
    @given(st.none() | strategy)
    def check(value: Any) -> None:
        wire = encode_value(value, type_name)
        result = shared.execute("SELECT :v AS v", [SqlParameter("v", wire, type_text)])
        assert result.scalar() == value
        assert result.columns[0].type_name == wire_type_name(type_name)

    check()
