"""The sample app's computed metrics: rows of ``demo.risk.metrics`` read through a warehouse."""

from __future__ import annotations

from decimal import Decimal

from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_domain.errors import NotFound
from appkit_domain.identifiers import TableName
from appkit_domain.overrides import MetricKey
from appkit_domain.overrides.model import to_decimal
from appkit_domain.ports.metric_source import MetricSource
from appkit_web.sample.demo_data import METRICS_TABLE


class TableMetricSource(MetricSource):
    """``computed_value`` is the ``value`` column of the row with the key's entity, metric, period."""

    def __init__(self, warehouse: SqlWarehouse, table: str = METRICS_TABLE) -> None:
        self.warehouse = warehouse
        self.table = TableName.parse(table)

    async def computed_value(self, key: MetricKey) -> Decimal:
        result = await self.warehouse.execute(
            f"SELECT value FROM {self.table.quoted} "  # noqa: S608 - quoted identifier
            "WHERE entity = :entity AND metric = :metric AND period = :period",
            {"entity": key.entity, "metric": key.metric, "period": key.period},
            row_limit=2,
            idempotent=True,
        )
        if not result.rows:
            raise NotFound(f"no computed value for {key.target}")
        return to_decimal(result.scalar())
