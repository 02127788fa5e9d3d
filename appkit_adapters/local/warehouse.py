"""The local engine behind the async ``SqlWarehouse`` interface."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from appkit_adapters.sql.warehouse import Parameters, SqlWarehouse, StatementResult

if TYPE_CHECKING:
    from appkit_adapters.local.engine import LocalEngine


class LocalWarehouse(SqlWarehouse):
    """Runs statements as one principal on a :class:`LocalEngine`, in a worker thread."""

    def __init__(self, engine: LocalEngine, principal: str = "app@local") -> None:
        self.engine = engine
        self.principal = principal

    async def execute(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        row_limit: int | None = None,
        idempotent: bool = False,
    ) -> StatementResult:
        """Run one statement; ``idempotent`` is accepted for the interface (no retries here)."""
        return await asyncio.to_thread(
            self.engine.execute,
            statement,
            parameters,
            principal=self.principal,
            row_limit=row_limit,
        )
