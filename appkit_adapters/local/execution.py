"""From statement text and parameters to DuckDB SQL and bound values, with caches.

Parsing is cached by (statement, namespace); rendering by (statement, namespace,
parameter types, schema epoch), where the epoch moves on every DDL statement because
``MERGE ... *`` expansion depends on table columns. DML results carry the Databricks
count columns (``num_affected_rows`` and friends).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from appkit_adapters.local.errors import sql_error
from appkit_adapters.local.history.travel import TimeTravel
from appkit_adapters.local.render import ColumnsOf, Rendered, render
from appkit_adapters.local.routines import Lookup
from appkit_adapters.local.session import (
    CATALOG_PARAMETER,
    GROUPS_PARAMETER,
    PRINCIPAL_PARAMETER,
    RESERVED_PARAMETER_PREFIX,
    SCHEMA_PARAMETER,
)
from appkit_adapters.local.statements import Namespace, ParsedStatement, parse_statement
from appkit_adapters.sql.warehouse import (
    ColumnInfo,
    Parameters,
    SqlParameter,
    StatementResult,
    normalize_parameters,
)
from appkit_domain.errors import InvalidInput

V = TypeVar("V")
Travel = Callable[[TimeTravel, dict[str, Any]], str]
"""Resolves a time-travelled table (with the statement's values) to the query of its rows."""


class LruCache(Generic[V]):
    """A small thread-safe least-recently-used cache."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self.hits += 1
            self._items.move_to_end(key)
            return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)


@dataclass(frozen=True)
class Plan:
    """A statement ready to run: DuckDB SQL (None for engine commands) and bound values."""

    parsed: ParsedStatement
    sql: str
    values: dict[str, Any]
    merge_check: str | None = None
    merge_check_values: dict[str, Any] | None = None
    touched: str | None = None
    touched_values: dict[str, Any] | None = None


def _bind_value(parameter: SqlParameter) -> Any:
    value = parameter.value
    if isinstance(value, bytearray):
        return bytes(value)
    return value


class StatementPlanner:
    """Parses, checks and renders statements, caching the work (see module docstring)."""

    def __init__(
        self,
        columns_of: ColumnsOf,
        travel: Travel | None = None,
        capacity: int = 1024,
        *,
        functions: Lookup | None = None,
    ) -> None:
        self._columns_of = columns_of
        self._travel = travel
        self._functions = functions
        self._parsed: LruCache[ParsedStatement] = LruCache(capacity)
        self._rendered: LruCache[Rendered] = LruCache(capacity)
        self._epoch = 0

    @property
    def cache_stats(self) -> dict[str, int]:
        return {"parse_hits": self._parsed.hits, "render_hits": self._rendered.hits}

    @property
    def epoch(self) -> int:
        """Moves on every schema change; cached work keyed by it goes stale with it."""
        return self._epoch

    def schema_changed(self) -> None:
        self._epoch += 1

    def routines_changed(self) -> None:
        """A SQL function was created or dropped: calls parse to something else now."""
        self._parsed.clear()
        self._epoch += 1

    def parse(self, statement: str, namespace: Namespace) -> ParsedStatement:
        key = (statement, namespace.catalog, namespace.schema)
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = parse_statement(statement, namespace, self._functions)
            self._parsed.put(key, parsed)
        return parsed

    def plan(
        self,
        statement: str,
        parameters: Parameters,
        principal: str,
        namespace: Namespace,
        groups: tuple[str, ...] = (),
    ) -> Plan:
        parsed = self.parse(statement, namespace)
        given = {item.name: item for item in normalize_parameters(parameters)}
        for name in given:
            if name.startswith(RESERVED_PARAMETER_PREFIX):
                raise InvalidInput(
                    f"parameter names starting with {RESERVED_PARAMETER_PREFIX!r} are reserved"
                )
        session = {
            PRINCIPAL_PARAMETER: principal,
            CATALOG_PARAMETER: namespace.catalog,
            SCHEMA_PARAMETER: namespace.schema,
        }
        session_values: dict[str, Any] = {GROUPS_PARAMETER: list(groups)}
        values: dict[str, Any] = {}
        types: dict[str, str | None] = {}
        for name in parsed.placeholders:
            if name in session:
                values[name] = session[name]
            elif name in session_values:
                values[name] = session_values[name]
            elif name in given:
                values[name] = _bind_value(given[name])
                types[name] = given[name].type
            else:
                raise sql_error(
                    InvalidInput,
                    "UNBOUND_SQL_PARAMETER",
                    "42P02",
                    f"Found the unbound parameter: {name}. Please supply a value for it.",
                )
        if parsed.tree is None:
            return Plan(parsed, "", values)
        snapshots: tuple[str, ...] = ()
        if parsed.travels:
            if self._travel is None:
                raise InvalidInput("time travel is not available here")
            snapshots = tuple(self._travel(travel, values) for travel in parsed.travels)
        key = (
            statement,
            namespace.catalog,
            namespace.schema,
            tuple(sorted(types.items())),
            self._epoch,
            snapshots,
        )
        rendered = self._rendered.get(key)
        if rendered is None:
            rendered = render(parsed, types, self._columns_of, snapshots)
            self._rendered.put(key, rendered)
        if rendered.parameters is not None:  # a time-travel expression took some away
            values = {name: values[name] for name in rendered.parameters}
        check_values = None
        if rendered.merge_check is not None:
            check_values = {name: values[name] for name in rendered.merge_check_parameters}
        touched_values = {name: values[name] for name in rendered.touched_parameters}
        return Plan(
            parsed,
            rendered.sql,
            values,
            rendered.merge_check,
            check_values,
            rendered.touched,
            touched_values,
        )


def _counts(*names: str) -> tuple[ColumnInfo, ...]:
    return tuple(
        ColumnInfo(name=name, type_name="LONG", type_text="BIGINT", position=index)
        for index, name in enumerate(names)
    )


def affected_result(kind: str, count: int) -> StatementResult:
    """The result Databricks returns for INSERT, UPDATE and DELETE."""
    if kind == "INSERT":
        return StatementResult(
            columns=_counts("num_affected_rows", "num_inserted_rows"),
            rows=[(count, count)],
            affected_rows=count,
        )
    return StatementResult(
        columns=_counts("num_affected_rows"), rows=[(count,)], affected_rows=count
    )


def merge_result(actions: list[str]) -> StatementResult:
    """The MERGE result: affected = inserted + updated + deleted."""
    tally = Counter(action.upper() for action in actions)
    updated, deleted, inserted = tally["UPDATE"], tally["DELETE"], tally["INSERT"]
    total = updated + deleted + inserted
    return StatementResult(
        columns=_counts(
            "num_affected_rows", "num_updated_rows", "num_deleted_rows", "num_inserted_rows"
        ),
        rows=[(total, updated, deleted, inserted)],
        affected_rows=total,
    )
