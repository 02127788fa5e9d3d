"""Metric overrides: governed replacements for computed metric values.

Public API::

    from appkit_domain.overrides import (
        OverrideService, OverrideProposal, OverrideHistoryEntry, metric_override_policy,
        OVERRIDE_KIND, MetricKey, MetricOverride, OverrideStatus, EffectiveValue,
    )

    approvals.policies.register(metric_override_policy(
        Eligibility.of(roles={"maker"}), Eligibility.of(roles={"approver"})))
    overrides = OverrideService(override_store, approvals, metric_source, clock, ids)
    proposal = await overrides.propose(actor, entity=..., metric=..., period=..., value=...,
                                       justification=..., effective_from=None, effective_to=None)
    proposal.override.id, proposal.approval.id, proposal.required_approvals
    await overrides.effective_value(entity, metric, period)  # -> EffectiveValue
    await overrides.history(entity, metric, period, page_size=50, page_token=None)
"""

from appkit_domain.overrides.model import (
    EffectiveValue,
    MetricKey,
    MetricOverride,
    OverrideStatus,
)
from appkit_domain.overrides.policy import OVERRIDE_KIND, metric_override_policy
from appkit_domain.overrides.service import (
    OverrideHistoryEntry,
    OverrideProposal,
    OverrideService,
)

__all__ = [
    "OVERRIDE_KIND",
    "EffectiveValue",
    "MetricKey",
    "MetricOverride",
    "OverrideHistoryEntry",
    "OverrideProposal",
    "OverrideService",
    "OverrideStatus",
    "metric_override_policy",
]
