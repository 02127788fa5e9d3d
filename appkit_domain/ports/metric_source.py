"""Metric source port: the computed value of a metric, before any override."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from appkit_domain.overrides.model import MetricKey


class MetricSource(Protocol):
    """Where computed metric values come from (a pipeline's output table, say); read-only."""

    async def computed_value(self, key: MetricKey) -> Decimal:
        """The value the pipeline computed for ``key``.

        Raise :class:`appkit_domain.errors.NotFound` when nothing was computed for it.
        """
        ...
