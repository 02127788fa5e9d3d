"""The ``SqlWarehouse`` interface: execute Databricks SQL with named parameters, get typed rows.

The SQL stores are written once against this interface; the embedded local
engine and the Statement Execution client both implement it. A warehouse
object is bound to one execution identity (the app's service principal, or
one user on whose behalf it acts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from appkit_domain.errors import InvalidInput


@dataclass(frozen=True)
class ColumnInfo:
    """A result column as the Statement Execution API describes it."""

    name: str
    type_name: str  # e.g. "STRING", "DECIMAL", "TIMESTAMP", "ARRAY"
    type_text: str  # e.g. "STRING", "DECIMAL(10,2)", "ARRAY<INT>"
    position: int = 0
    nullable: bool = True  # table columns (Unity Catalog); result columns leave the default
    comment: str | None = None


@dataclass(frozen=True)
class SqlParameter:
    """A named statement parameter; ``type`` is a Databricks SQL type name, e.g. ``DECIMAL(18,4)``."""

    name: str
    value: Any
    type: str | None = None


@dataclass(frozen=True)
class StatementResult:
    """Rows decoded to Python values (Decimal, aware datetime, date, bool, bytes, lists, dicts).

    ``affected_rows`` is set for DML (INSERT, UPDATE, DELETE, MERGE) and
    ``None`` otherwise. ``truncated`` tells that a row or byte limit cut the result.
    """

    columns: tuple[ColumnInfo, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    affected_rows: int | None = None
    truncated: bool = False
    statement_id: str | None = None

    def dicts(self) -> list[dict[str, Any]]:
        names = [column.name for column in self.columns]
        return [dict(zip(names, row)) for row in self.rows]

    def scalar(self) -> Any:
        """The first column of the first row, or None when there are no rows."""
        return self.rows[0][0] if self.rows else None


Parameters = Mapping[str, Any] | Sequence[SqlParameter] | None


class SqlWarehouse(Protocol):
    async def execute(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        row_limit: int | None = None,
        idempotent: bool = False,
    ) -> StatementResult:
        """Run one Databricks SQL statement and return its whole result.

        ``parameters`` bind ``:name`` markers; a mapping's values get types
        inferred by :func:`infer_type`. ``idempotent`` tells the transport the
        statement may be retried safely (reads always may). Failures raise the
        domain error tree: ``NotFound`` for a missing table, ``PermissionDenied``
        for a missing privilege, ``InvalidInput`` for bad SQL, ``Unavailable``
        when the warehouse cannot answer.
        """
        ...


def infer_type(value: Any) -> str:
    """The Databricks SQL type a Python value binds as."""
    if value is None:
        return "VOID"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "BIGINT"
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, Decimal):
        _sign, digits, exponent = value.as_tuple()
        scale = max(0, -int(exponent)) if isinstance(exponent, int) else 0
        precision = min(38, max(len(digits), scale + 1))
        return f"DECIMAL({precision},{scale})"
    if isinstance(value, dt.datetime):
        return "TIMESTAMP" if value.tzinfo is not None else "TIMESTAMP_NTZ"
    if isinstance(value, dt.date):
        return "DATE"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, (bytes, bytearray)):
        return "BINARY"
    raise InvalidInput(f"cannot bind a {type(value).__name__} as a SQL parameter")


def normalize_parameters(parameters: Parameters) -> list[SqlParameter]:
    """Turn a mapping or a sequence into typed ``SqlParameter`` values, checking names."""
    if parameters is None:
        return []
    if isinstance(parameters, Mapping):
        items = [SqlParameter(name, value) for name, value in parameters.items()]
    else:
        items = list(parameters)
    out = []
    seen: set[str] = set()
    for item in items:
        if not item.name.isidentifier():
            raise InvalidInput(f"parameter name {item.name!r} is not a valid marker name")
        if item.name in seen:
            raise InvalidInput(f"parameter {item.name!r} is given twice")
        seen.add(item.name)
        out.append(
            item if item.type else SqlParameter(item.name, item.value, infer_type(item.value))
        )
    return out
