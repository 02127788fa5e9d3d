"""Readiness: the warehouse answers and no circuit breaker is open."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from appkit_adapters.resilience.breaker import CircuitBreaker, CircuitState
from appkit_adapters.sql.warehouse import SqlWarehouse

PROBE_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class ReadinessReport:
    ready: bool
    checks: dict[str, Any] = field(default_factory=dict)


class Readiness:
    """Checks ``warehouse`` with ``SELECT 1`` (when there is one) and every breaker's state."""

    def __init__(
        self, warehouse: SqlWarehouse | None, breakers: Sequence[CircuitBreaker] = ()
    ) -> None:
        self.warehouse = warehouse
        self.breakers = list(breakers)

    async def check(self) -> ReadinessReport:
        checks: dict[str, Any] = {}
        ready = True
        for breaker in self.breakers:
            snapshot = breaker.snapshot()
            checks[f"breaker:{snapshot.name}"] = snapshot.state.value
            if snapshot.state is CircuitState.OPEN:
                ready = False
        if self.warehouse is None:
            checks["warehouse"] = "none (memory backend)"
        elif ready:
            try:
                await asyncio.wait_for(
                    self.warehouse.execute("SELECT 1", idempotent=True), PROBE_TIMEOUT_SECONDS
                )
                checks["warehouse"] = "ok"
            except Exception as exc:  # any failure means "not ready", reported by type only
                checks["warehouse"] = f"failed: {type(exc).__name__}"
                ready = False
        else:
            checks["warehouse"] = "skipped: a breaker is open"
        return ReadinessReport(ready, checks)
