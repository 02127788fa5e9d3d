"""Computed metric values set by the test: ``values`` maps key -> value."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from appkit_domain.errors import NotFound
from appkit_domain.overrides.model import MetricKey, to_decimal
from appkit_domain.ports.metric_source import MetricSource


class InMemoryMetricSource(MetricSource):
    def __init__(self) -> None:
        self.values: dict[MetricKey, Decimal] = {}
        self.reads = 0

    def set(self, entity: str, metric: str, period: str, value: Decimal | int | str) -> MetricKey:
        key = MetricKey(entity, metric, period)
        self.values[key] = to_decimal(value)
        return key

    async def computed_value(self, key: MetricKey) -> Decimal:
        await asyncio.sleep(0)
        self.reads += 1
        try:
            return self.values[key]
        except KeyError:
            raise NotFound(f"no computed value for {key.target}") from None
