"""Metric overrides as the API takes and shows them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from appkit_domain.overrides import EffectiveValue, MetricOverride, OverrideProposal
from appkit_web.schemas.common import Input


class OverrideIn(Input):
    """A proposed replacement value; who proposes, status and approvals are never taken from here."""

    entity: str = Field(..., min_length=1, max_length=200, examples=["ACME"])
    metric: str = Field(..., min_length=1, max_length=200, examples=["var_99"])
    period: str = Field(..., min_length=1, max_length=200, examples=["2026-Q3"])
    value: Decimal = Field(
        ..., examples=["1300000"], allow_inf_nan=False, max_digits=38, decimal_places=18
    )
    justification: str = Field(
        ..., min_length=1, max_length=4000, examples=["booked trade missing from the feed"]
    )
    effective_from: datetime | None = Field(None, examples=["2026-12-01T00:00:00Z"])
    effective_to: datetime | None = Field(None, examples=["2027-01-01T00:00:00Z"])


class OverrideOut(BaseModel):
    id: str
    approval_id: str
    required_approvals: int
    status: str
    entity: str
    metric: str
    period: str
    value: str
    computed_value: str | None
    justification: str
    effective_from: datetime
    effective_to: datetime | None
    proposed_by: str
    approved_by: list[str]
    created_at: datetime
    applied_at: datetime | None = None
    superseded_by: str | None = None

    @classmethod
    def of(cls, override: MetricOverride, required_approvals: int) -> OverrideOut:
        return cls(
            id=override.id,
            approval_id=override.approval_id,
            required_approvals=required_approvals,
            status=override.status.value,
            entity=override.key.entity,
            metric=override.key.metric,
            period=override.key.period,
            value=str(override.value),
            computed_value=(
                str(override.computed_value) if override.computed_value is not None else None
            ),
            justification=override.justification,
            effective_from=override.effective_from,
            effective_to=override.effective_to,
            proposed_by=override.proposed_by,
            approved_by=list(override.approved_by),
            created_at=override.created_at,
            applied_at=override.applied_at,
            superseded_by=override.superseded_by,
        )

    @classmethod
    def of_proposal(cls, proposal: OverrideProposal) -> OverrideOut:
        return cls.of(proposal.override, proposal.required_approvals)


class EffectiveValueOut(BaseModel):
    entity: str
    metric: str
    period: str
    value: str
    computed_value: str | None
    overridden: bool
    overridden_by: str | None
    approved_by: list[str]
    approval_id: str | None
    override_id: str | None
    effective_from: datetime | None
    effective_to: datetime | None

    @classmethod
    def of(cls, effective: EffectiveValue) -> EffectiveValueOut:
        return cls(
            entity=effective.key.entity,
            metric=effective.key.metric,
            period=effective.key.period,
            value=str(effective.value),
            computed_value=(
                str(effective.computed_value) if effective.computed_value is not None else None
            ),
            overridden=effective.overridden,
            overridden_by=effective.overridden_by,
            approved_by=list(effective.approved_by),
            approval_id=effective.approval_id,
            override_id=effective.override_id,
            effective_from=effective.effective_from,
            effective_to=effective.effective_to,
        )
