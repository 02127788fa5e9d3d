"""Write-back configuration and column-type checks on their own."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appkit_domain.errors import InvalidInput
from appkit_domain.identifiers import TableName
from appkit_domain.writeback import (
    AuditColumns,
    TableRules,
    ValueRule,
    WritebackRules,
    coerce_to_column,
)
from tests.domain.writeback.world import CUSTOMERS, customer_rules

T = TableName("demo", "crm", "t")


@pytest.mark.parametrize(
    ("type_name", "value", "expected"),
    [
        ("BIGINT", 42, 42),
        ("int", -7, -7),
        ("TINYINT", 127, 127),
        ("DOUBLE", 1, 1),
        ("DOUBLE", 2.5, 2.5),
        ("DECIMAL(10,2)", "12.30", "12.30"),
        ("DECIMAL(10,2)", 5, "5"),
        ("decimal(5, 2)", "999.99", "999.99"),
        ("STRING", "gold", "gold"),
        ("VARCHAR(4)", "gold", "gold"),
        ("BOOLEAN", True, True),
        ("DATE", "2026-01-05", "2026-01-05"),
        ("DATE", date(2026, 1, 5), "2026-01-05"),
        ("TIMESTAMP", "2026-01-05T09:00:00Z", "2026-01-05T09:00:00+00:00"),
        (
            "TIMESTAMP",
            datetime(2026, 1, 5, 9, tzinfo=timezone.utc),
            "2026-01-05T09:00:00+00:00",
        ),
        ("TIMESTAMP_NTZ", "2026-01-05T09:00:00", "2026-01-05T09:00:00"),
        ("STRING", None, None),
    ],
)
def test_values_fitting_the_column_type_pass_in_canonical_form(
    type_name: str, value: Any, expected: Any
) -> None:
    assert coerce_to_column("c", type_name, value) == expected


@pytest.mark.parametrize(
    ("type_name", "value"),
    [
        ("BIGINT", "42"),
        ("BIGINT", True),
        ("INT", 2**31),
        ("TINYINT", 128),
        ("DOUBLE", "1.0"),
        ("DOUBLE", float("nan")),
        ("DECIMAL(10,2)", "1.234"),
        ("DECIMAL(5,2)", "1000"),
        ("DECIMAL(10,2)", "NaN"),
        ("STRING", 5),
        ("VARCHAR(3)", "gold"),
        ("BOOLEAN", "true"),
        ("DATE", "05/01/2026"),
        ("TIMESTAMP", "2026-01-05T09:00:00"),
        ("TIMESTAMP_NTZ", "2026-01-05T09:00:00+00:00"),
        ("ARRAY<STRING>", ["a"]),
        ("BINARY", "AAEC"),
        ("MAP<STRING,INT>", {}),
    ],
)
def test_values_not_fitting_the_column_type_are_refused_naming_the_column(
    type_name: str, value: Any
) -> None:
    with pytest.raises(InvalidInput, match="'col'"):
        coerce_to_column("col", type_name, value)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_every_bigint_is_accepted_as_is(value: int) -> None:
    assert coerce_to_column("c", "BIGINT", value) == value


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_string_columns_accept_any_text_unchanged(value: str) -> None:
    assert coerce_to_column("c", "STRING", value) == value


def test_unconfigured_table_is_refused_naming_it() -> None:
    rules = WritebackRules([customer_rules()])
    with pytest.raises(InvalidInput, match=r"demo\.crm\.t "):
        rules.for_table(T)


def test_table_lookup_ignores_case() -> None:
    rules = WritebackRules([customer_rules()])
    assert rules.for_table("DEMO.CRM.Customers").table == CUSTOMERS


def test_a_table_configured_twice_is_refused() -> None:
    with pytest.raises(InvalidInput, match="twice"):
        WritebackRules([customer_rules(), customer_rules()])


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"key_columns": ()}, "key column"),
        ({"writable": {}}, "writable column"),
        ({"writable": {"id": ValueRule()}}, "cannot be writable"),
        ({"writable": {"updated_by": ValueRule()}}, "audit columns"),
        ({"writable": {"bad name": ValueRule()}}, "bad name"),
        ({"key_columns": ("id;--",)}, "id;--"),
    ],
)
def test_bad_table_configuration_is_refused(kwargs: dict[str, Any], named: str) -> None:
    base: dict[str, Any] = {"table": T, "key_columns": ("id",), "writable": {"v": ValueRule()}}
    with pytest.raises(InvalidInput, match=named):
        TableRules(**{**base, **kwargs})


def test_audit_column_names_are_validated_identifiers() -> None:
    with pytest.raises(InvalidInput):
        AuditColumns(updated_by="who`s")


@pytest.mark.parametrize(
    ("rule", "value", "ok"),
    [
        (ValueRule(allowed=frozenset({"a", "b"})), "a", True),
        (ValueRule(allowed=frozenset({"a", "b"})), "c", False),
        (ValueRule(pattern=r"[A-Z]{3}"), "ABC", True),
        (ValueRule(pattern=r"[A-Z]{3}"), "ABCD", False),
        (ValueRule(pattern=r"[A-Z]{3}"), 123, False),
        (ValueRule(minimum=0, maximum=10), 10, True),
        (ValueRule(minimum=0, maximum=10), "10.01", False),
        (ValueRule(minimum=0), True, False),
        (ValueRule(max_length=3), "abc", True),
        (ValueRule(max_length=3), "abcd", False),
        (ValueRule(not_null=True), None, False),
        (ValueRule(), None, True),
    ],
)
def test_value_rules(rule: ValueRule, value: Any, ok: bool) -> None:
    if ok:
        rule.check(T, "v", value)
    else:
        with pytest.raises(InvalidInput, match="'v'"):
            rule.check(T, "v", value)


def test_value_rule_with_invalid_pattern_or_bounds_is_refused() -> None:
    with pytest.raises(InvalidInput):
        ValueRule(pattern="(")
    with pytest.raises(InvalidInput):
        ValueRule(minimum=5, maximum=1)
