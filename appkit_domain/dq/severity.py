"""Severity of a failed data-quality check and the SLA each severity carries."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from appkit_domain.errors import InvalidInput


class Severity(str, enum.Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @classmethod
    def parse(cls, value: str | Severity) -> Severity:
        """Accept a severity or its name in any case; anything else is ``InvalidInput``."""
        if isinstance(value, Severity):
            return value
        try:
            return cls(str(value).strip().upper())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise InvalidInput(f"severity {value!r} is not one of {names}") from None


DEFAULT_SLA: Mapping[Severity, timedelta] = MappingProxyType(
    {
        Severity.LOW: timedelta(days=30),
        Severity.MEDIUM: timedelta(days=7),
        Severity.HIGH: timedelta(days=2),
        Severity.CRITICAL: timedelta(hours=4),
    }
)


@dataclass(frozen=True)
class SlaPolicy:
    """How long an exception of each severity may stay unresolved.

    Every severity must have a positive duration; a policy missing one is
    refused at construction rather than at the first exception it meets.
    """

    by_severity: Mapping[Severity, timedelta] = field(default_factory=lambda: DEFAULT_SLA)

    def __post_init__(self) -> None:
        missing = [s.value for s in Severity if s not in self.by_severity]
        if missing:
            raise InvalidInput(f"the SLA policy has no duration for {', '.join(missing)}")
        for severity, duration in self.by_severity.items():
            if duration <= timedelta(0):
                raise InvalidInput(f"the SLA for {severity.value} must be positive")
        object.__setattr__(self, "by_severity", MappingProxyType(dict(self.by_severity)))

    def due(self, severity: Severity, start: datetime) -> datetime:
        """When an exception of ``severity`` whose clock started at ``start`` is due."""
        return start + self.by_severity[severity]
