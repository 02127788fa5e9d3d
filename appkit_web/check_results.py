"""Reading a check-results table for ``POST /api/exceptions/ingest``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_domain.identifiers import TableName

MAX_CHECK_RESULT_ROWS = 10_000


class CheckResultsSource(Protocol):
    async def rows(self, table: TableName) -> Sequence[Mapping[str, Any]]:
        """Every row of the check-results ``table`` (``NotFound`` if it does not exist)."""
        ...


class WarehouseCheckResults(CheckResultsSource):
    """Reads the table with the app's service principal; the name is validated and quoted."""

    def __init__(self, warehouse: SqlWarehouse) -> None:
        self.warehouse = warehouse

    async def rows(self, table: TableName) -> Sequence[Mapping[str, Any]]:
        result = await self.warehouse.execute(
            f"SELECT * FROM {table.quoted}",  # noqa: S608 - identifiers validated and quoted
            row_limit=MAX_CHECK_RESULT_ROWS,
            idempotent=True,
        )
        return result.dicts()
