"""The maker-checker policy for metric overrides: quorum by materiality."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from appkit_domain.approvals.policy import Eligibility, MakerCheckerPolicy, materiality_quorum

OVERRIDE_KIND = "metric_override"


def metric_override_policy(
    proposers: Eligibility,
    deciders: Eligibility,
    *,
    threshold: Decimal = Decimal("0.10"),
    base: int = 1,
    material: int = 2,
    deadline: timedelta = timedelta(days=5),
) -> MakerCheckerPolicy:
    """``base`` approvals, ``material`` when the value moves by more than ``threshold``.

    The move is measured against the computed value captured in the
    proposal's payload; applied automatically on approval. The demo policy is
    the default: 1 approval, 2 beyond a 10% move.
    """
    return MakerCheckerPolicy(
        kind=OVERRIDE_KIND,
        proposers=proposers,
        deciders=deciders,
        quorum=materiality_quorum(
            value_field="value",
            reference_field="computed_value",
            threshold=threshold,
            base=base,
            material=material,
        ),
        deadline=deadline,
        auto_apply=True,
    )
