"""Metric overrides: a governed replacement for a computed metric value.

An override names its metric by :class:`MetricKey` (entity, metric,
period), carries the proposed value, the computed value it replaces as seen
at proposal, a justification and an effective window
``[effective_from, effective_to)`` (open-ended when ``effective_to`` is
``None``). It is ``PENDING`` until its approval request is applied, then
``ACTIVE``; a newer applied override for the same key makes it
``SUPERSEDED``. Records are never deleted: they are the history.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from appkit_domain.audit.chain import format_time
from appkit_domain.errors import InvalidInput
from appkit_domain.unit_of_work import AggregateType


def _text(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _time(value: datetime | None) -> str | None:
    return format_time(value) if value is not None else None


@dataclass(frozen=True, order=True)
class MetricKey:
    """Which metric value: an entity (e.g. a counterparty), a metric name, a period label."""

    entity: str
    metric: str
    period: str

    def __post_init__(self) -> None:
        for name in ("entity", "metric", "period"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidInput(f"a metric key needs a non-empty {name}")
            if "/" in value:
                raise InvalidInput(f"a metric key's {name} may not contain '/'")

    @property
    def target(self) -> str:
        """The audit/approval target naming this key."""
        return f"metric:{self.entity}/{self.metric}/{self.period}"


def to_decimal(value: object, name: str = "value") -> Decimal:
    """A finite ``Decimal`` from a Decimal, int or numeric string; ``InvalidInput`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str, float)):
        raise InvalidInput(f"{name} must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise InvalidInput(f"{name} must be a number") from exc
    if not number.is_finite():
        raise InvalidInput(f"{name} must be a finite number")
    return number


class OverrideStatus(str, enum.Enum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    SUPERSEDED = "SUPERSEDED"


@dataclass(frozen=True)
class MetricOverride:
    """One proposed override and what became of it."""

    id: str
    key: MetricKey
    value: Decimal
    computed_value: Decimal | None
    justification: str
    effective_from: datetime
    effective_to: datetime | None
    proposed_by: str
    approval_id: str
    created_at: datetime
    status: OverrideStatus = OverrideStatus.PENDING
    version: int = 1
    applied_at: datetime | None = None
    approved_by: tuple[str, ...] = ()
    superseded_by: str | None = None
    superseded_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.justification or not self.justification.strip():
            raise InvalidInput("an override needs a justification")
        if self.effective_from.tzinfo is None or (
            self.effective_to is not None and self.effective_to.tzinfo is None
        ):
            raise InvalidInput("effective times must be timezone-aware")
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise InvalidInput("effective_to must be after effective_from")

    def covers(self, at: datetime) -> bool:
        """Whether ``at`` lies in ``[effective_from, effective_to)``."""
        return self.effective_from <= at and (self.effective_to is None or at < self.effective_to)

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values; numbers as decimal text so no precision is lost."""
        return {
            "id": self.id,
            "entity": self.key.entity,
            "metric": self.key.metric,
            "period": self.key.period,
            "value": str(self.value),
            "computed_value": _text(self.computed_value),
            "justification": self.justification,
            "effective_from": _time(self.effective_from),
            "effective_to": _time(self.effective_to),
            "status": self.status.value,
            "proposed_by": self.proposed_by,
            "approval_id": self.approval_id,
            "approved_by": list(self.approved_by),
            "created_at": _time(self.created_at),
            "applied_at": _time(self.applied_at),
            "superseded_by": self.superseded_by,
            "superseded_at": _time(self.superseded_at),
        }


@dataclass(frozen=True)
class EffectiveValue:
    """The value to use for a key now, and where it comes from.

    ``overridden`` is true when an active override covers now; then
    ``overridden_by`` is who proposed it, ``approved_by`` who approved it,
    ``approval_id`` and ``override_id`` name the records. Otherwise ``value``
    is the computed value and those fields are empty.
    """

    key: MetricKey
    value: Decimal
    computed_value: Decimal | None
    overridden: bool
    override_id: str | None = None
    approval_id: str | None = None
    overridden_by: str | None = None
    approved_by: tuple[str, ...] = ()
    effective_from: datetime | None = None
    effective_to: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values; numbers as decimal text so no precision is lost."""
        return {
            "entity": self.key.entity,
            "metric": self.key.metric,
            "period": self.key.period,
            "value": str(self.value),
            "computed_value": _text(self.computed_value),
            "overridden": self.overridden,
            "override_id": self.override_id,
            "approval_id": self.approval_id,
            "overridden_by": self.overridden_by,
            "approved_by": list(self.approved_by),
            "effective_from": _time(self.effective_from),
            "effective_to": _time(self.effective_to),
        }


def _override_key(override: MetricOverride) -> str:
    return override.id


def _active_key(override: MetricOverride) -> str | None:
    return override.key.target if override.status is OverrideStatus.ACTIVE else None


METRIC_OVERRIDES: AggregateType[MetricOverride] = AggregateType(
    "metric_overrides",
    MetricOverride,
    _override_key,
    indexes={"active_key": _active_key},
)
"""Metric overrides as units of work load and save them; index ``active_key`` finds the
``ACTIVE`` overrides of a metric key (by its target text)."""
