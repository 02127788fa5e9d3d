"""A warehouse wrapper that counts statements: round trips are the cost that matters."""

from __future__ import annotations

from collections import Counter

from appkit_adapters.sql.warehouse import Parameters, SqlWarehouse, StatementResult


class CountingWarehouse(SqlWarehouse):
    """Forwards every statement to ``inner`` and counts it, in total and by leading keyword."""

    def __init__(self, inner: SqlWarehouse) -> None:
        self.inner = inner
        self.count = 0
        self.by_kind: Counter[str] = Counter()
        self.statements: list[str] = []
        self.keep_text = False

    async def execute(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        row_limit: int | None = None,
        idempotent: bool = False,
    ) -> StatementResult:
        self.count += 1
        words = statement.split(None, 1)
        self.by_kind[words[0].upper() if words else ""] += 1
        if self.keep_text:
            self.statements.append(statement)
        return await self.inner.execute(
            statement, parameters, row_limit=row_limit, idempotent=idempotent
        )

    def reset(self) -> None:
        self.count = 0
        self.by_kind.clear()
        self.statements.clear()
