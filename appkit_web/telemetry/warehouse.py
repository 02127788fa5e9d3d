"""A span and a count for every statement a warehouse runs, around any ``SqlWarehouse``.

The span records the statement's operation (its first keyword), who runs it
(``app`` or ``user``), the rows returned and the outcome; never the text or
the parameter values (a user's ad-hoc query may hold literal data).
"""

from __future__ import annotations

import re
import time
from typing import Any

from appkit_adapters.sql.warehouse import Parameters, SqlWarehouse, StatementResult
from appkit_domain.errors import AppkitError
from appkit_web.telemetry.setup import Telemetry
from appkit_web.user_warehouses import WarehouseForUser

_FIRST_WORD = re.compile(r"^\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*([A-Za-z]+)", re.DOTALL)


def operation_of(statement: str) -> str:
    """``SELECT``, ``INSERT``, ``BEGIN``...: the statement's first keyword (``OTHER`` if none)."""
    found = _FIRST_WORD.match(statement)
    return found.group(1).upper() if found else "OTHER"


class TracedWarehouse:
    """Delegates to ``inner``; ``execute`` runs inside a client span and is counted."""

    def __init__(self, inner: SqlWarehouse, telemetry: Telemetry, identity: str) -> None:
        self.inner = inner
        self.telemetry = telemetry
        self.identity = identity

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def execute(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        row_limit: int | None = None,
        idempotent: bool = False,
    ) -> StatementResult:
        from opentelemetry.trace import SpanKind, Status, StatusCode

        operation = operation_of(statement)
        attributes: dict[str, Any] = {
            "db.system.name": "databricks",
            "db.operation.name": operation,
            "appkit.execution_identity": self.identity,
        }
        outcome = "ok"
        started = time.perf_counter()
        with self.telemetry.tracer.start_as_current_span(
            f"warehouse {operation}", kind=SpanKind.CLIENT, attributes=attributes
        ) as span:
            try:
                result = await self.inner.execute(
                    statement, parameters, row_limit=row_limit, idempotent=idempotent
                )
            except AppkitError as error:
                outcome = error.code
                span.set_status(Status(StatusCode.ERROR, error.code))
                raise
            except Exception as error:
                outcome = type(error).__name__
                span.set_status(Status(StatusCode.ERROR, outcome))
                raise
            finally:
                counted = {**attributes, "appkit.outcome": outcome}
                self.telemetry.statements.add(1, counted)
                self.telemetry.statement_duration.record(time.perf_counter() - started, counted)
            span.set_attribute("db.response.returned_rows", len(result.rows))
            return result


def traced(warehouse: SqlWarehouse, telemetry: Telemetry | None, identity: str = "app") -> Any:
    """``warehouse`` traced when telemetry is on, else itself."""
    return warehouse if telemetry is None else TracedWarehouse(warehouse, telemetry, identity)


def traced_per_user(factory: WarehouseForUser, telemetry: Telemetry | None) -> WarehouseForUser:
    """A per-user warehouse factory whose warehouses are traced (identity ``user``)."""
    if telemetry is None:
        return factory

    def for_user(principal: Any, token: str | None) -> SqlWarehouse:
        return TracedWarehouse(factory(principal, token), telemetry, "user")

    return for_user
