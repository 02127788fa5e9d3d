"""Which governance table holds each aggregate type, and how its rows are written and read.

An :class:`AggregateTable` gives a type its table, its row encoding (every
stored column but ``version`` and ``write_token``, as typed statement
parameters), its decoding, and how each of the type's indexes is looked up
in SQL. The built-in types are in :data:`BUILT_IN_TABLES`; a store takes
more (a user's record types) at construction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from appkit_adapters.sql.schema import (
    APPROVAL_REQUESTS,
    CHANGE_REQUESTS,
    DQ_EXCEPTIONS,
    METRIC_OVERRIDES,
    TABLES_BY_NAME,
)
from appkit_adapters.sql.stores.approvals import request_from_row, request_params
from appkit_adapters.sql.stores.changes import change_from_row, change_params
from appkit_adapters.sql.stores.dq import exception_from_row, exception_params
from appkit_adapters.sql.stores.overrides import override_from_row, override_params
from appkit_adapters.sql.stores.values import string
from appkit_adapters.sql.warehouse import SqlParameter
from appkit_domain.approvals.model import APPROVAL_REQUESTS as APPROVAL_TYPE
from appkit_domain.dq.exception import DQ_EXCEPTIONS as DQ_TYPE
from appkit_domain.errors import InvalidInput
from appkit_domain.identifiers import quote
from appkit_domain.overrides.model import METRIC_OVERRIDES as OVERRIDE_TYPE
from appkit_domain.overrides.model import MetricKey, OverrideStatus
from appkit_domain.unit_of_work import AggregateType
from appkit_domain.writeback.change import CHANGE_REQUESTS as CHANGE_TYPE

T = TypeVar("T")

Lookup = Callable[[str], tuple[str, list[SqlParameter]]]
"""An index value -> a ``WHERE`` condition on the table (columns quoted) and its parameters."""


@dataclass(frozen=True)
class AggregateTable(Generic[T]):
    """Where and how one aggregate type is stored (see the module docstring).

    ``unique`` maps each unique index of the type to the column holding it,
    so an insert can refuse a taken value.
    """

    type: AggregateType[T]
    table: str
    params: Callable[[T], list[SqlParameter]]
    from_row: Callable[[dict[str, Any]], T]
    lookups: Mapping[str, Lookup] = field(default_factory=dict)
    unique: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lookups", MappingProxyType(dict(self.lookups)))
        object.__setattr__(self, "unique", MappingProxyType(dict(self.unique)))
        missing = [name for name in self.type.indexes if name not in self.lookups]
        if missing:
            raise InvalidInput(f"{self.type.name} has no SQL lookup for index {missing[0]!r}")

    @property
    def column_types(self) -> dict[str, str]:
        """Every stored column and its SQL type (``NOT NULL`` dropped)."""
        spec = TABLES_BY_NAME[self.table]
        return {name: sql.replace(" NOT NULL", "") for name, sql in spec.columns}


def _equals(column: str) -> Lookup:
    def lookup(value: str) -> tuple[str, list[SqlParameter]]:
        return f"{quote(column)} = :ix_value", [string("ix_value", value)]

    return lookup


def _active_key(value: str) -> tuple[str, list[SqlParameter]]:
    entity, metric, period = _metric_key(value)
    return (
        "`entity` = :ix_entity AND `metric` = :ix_metric AND `period` = :ix_period "
        "AND `status` = :ix_status",
        [
            string("ix_entity", entity),
            string("ix_metric", metric),
            string("ix_period", period),
            string("ix_status", OverrideStatus.ACTIVE.value),
        ],
    )


def _metric_key(target: str) -> tuple[str, str, str]:
    prefix = "metric:"
    parts = target[len(prefix) :].split("/") if target.startswith(prefix) else []
    if len(parts) != 3:
        raise InvalidInput(f"{target!r} does not name a metric key")
    key = MetricKey(*parts)
    return key.entity, key.metric, key.period


BUILT_IN_TABLES: tuple[AggregateTable[Any], ...] = (
    AggregateTable(APPROVAL_TYPE, APPROVAL_REQUESTS, request_params, request_from_row),
    AggregateTable(CHANGE_TYPE, CHANGE_REQUESTS, change_params, change_from_row),
    AggregateTable(
        DQ_TYPE,
        DQ_EXCEPTIONS,
        exception_params,
        exception_from_row,
        lookups={"fingerprint": _equals("fingerprint")},
        unique={"fingerprint": "fingerprint"},
    ),
    AggregateTable(
        OVERRIDE_TYPE,
        METRIC_OVERRIDES,
        override_params,
        override_from_row,
        lookups={"active_key": _active_key},
    ),
)


class AggregateTables:
    """The tables of every aggregate type a store holds, by type name."""

    def __init__(self, tables: Iterable[AggregateTable[Any]] = BUILT_IN_TABLES) -> None:
        self._tables: dict[str, AggregateTable[Any]] = {}
        for table in tables:
            if table.type.name in self._tables:
                raise InvalidInput(f"aggregate type {table.type.name} is held twice")
            self._tables[table.type.name] = table

    def of(self, type: AggregateType[T]) -> AggregateTable[T]:
        try:
            found: AggregateTable[T] = self._tables[type.name]
        except KeyError:
            raise InvalidInput(f"this governance store holds no {type.name}") from None
        return found

    def named(self, name: str) -> AggregateTable[Any]:
        try:
            return self._tables[name]
        except KeyError:
            raise InvalidInput(f"this governance store holds no {name}") from None

    def __iter__(self) -> Any:
        return iter(self._tables.values())
