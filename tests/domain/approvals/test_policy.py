from __future__ import annotations

from datetime import timedelta

import pytest

from appkit_domain.approvals import (
    Eligibility,
    MakerCheckerPolicy,
    PolicyRegistry,
    fixed_quorum,
    materiality_quorum,
)
from appkit_domain.errors import InvalidInput, NotFound

ANY = Eligibility.everyone()


@pytest.mark.parametrize(
    ("value", "computed", "needed"),
    [
        ("100", "100", 1),
        ("110", "100", 1),
        ("110.0001", "100", 2),
        ("-10", "-9.5", 1),
        ("-12", "-10", 2),
        ("0", "0", 1),
        ("0.5", "0", 2),
        ("7", None, 2),
    ],
)
def test_materiality_quorum_counts_a_move_beyond_ten_percent_as_material(
    value: str, computed: str | None, needed: int
) -> None:
    rule = materiality_quorum()
    assert rule({"value": value, "computed_value": computed}) == needed


def test_materiality_quorum_needs_numbers() -> None:
    rule = materiality_quorum()
    with pytest.raises(InvalidInput):
        rule({"computed_value": "1"})
    with pytest.raises(InvalidInput):
        rule({"value": "ten", "computed_value": "1"})
    with pytest.raises(InvalidInput):
        rule({"value": True, "computed_value": "1"})


def test_a_quorum_rule_must_give_a_positive_count() -> None:
    policy = MakerCheckerPolicy("k", ANY, ANY, quorum=lambda payload: 0)
    with pytest.raises(InvalidInput):
        policy.required_approvals({})
    with pytest.raises(InvalidInput):
        fixed_quorum(0)
    with pytest.raises(InvalidInput):
        MakerCheckerPolicy("k", ANY, ANY, quorum=0)
    with pytest.raises(InvalidInput):
        MakerCheckerPolicy("k", ANY, ANY, deadline=timedelta(0))


def test_policy_registry_has_one_policy_per_kind() -> None:
    registry = PolicyRegistry([MakerCheckerPolicy("a", ANY, ANY)])
    with pytest.raises(InvalidInput):
        registry.register(MakerCheckerPolicy("a", ANY, ANY, quorum=2))
    registry.register(MakerCheckerPolicy("a", ANY, ANY, quorum=2), replace=True)
    assert registry.get("a").required_approvals({}) == 2
    with pytest.raises(NotFound):
        registry.get("b")
    assert registry.kinds() == ["a"]
