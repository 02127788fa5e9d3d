"""The engine's side of table versions: the cache, transactions, time travel, table commands.

:class:`TableHistory` is what :class:`~appkit_adapters.local.engine.LocalEngine`
asks when a write needs its transaction's versions, a query reads a table as of
a version, a Delta command runs, or a table is described (its latest version is
the table's ``updated_at``/``updated_by``).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

import duckdb

from appkit_adapters.local.catalogs import CatalogRegistry, read_only_catalog
from appkit_adapters.local.errors import sql_error, table_not_found, unsupported
from appkit_adapters.local.history import operations, registry
from appkit_adapters.local.history.commands import (
    DescribeDetail,
    DescribeHistory,
    Optimize,
    Restore,
    TableCommand,
)
from appkit_adapters.local.history.registry import TableState
from appkit_adapters.local.history.transaction import TableVersions, VersionCache
from appkit_adapters.local.history.travel import TimeTravel, evaluate, resolve, version_query
from appkit_adapters.local.naming import TableName
from appkit_adapters.local.tables import TableInfo, describe_table
from appkit_adapters.local.writes import is_table
from appkit_adapters.sql.warehouse import StatementResult
from appkit_domain.errors import InvalidInput
from appkit_domain.ports.clock import Clock


class TableHistory:
    """Versions of the engine's tables. ``keep`` False: none are kept (and asking is refused)."""

    def __init__(
        self,
        cursor: Callable[[], duckdb.DuckDBPyConnection],
        write_lock: threading.RLock,
        catalogs: CatalogRegistry,
        clock: Clock,
        *,
        keep: bool,
        base: int,
        views: Callable[[TableName], bool],
    ) -> None:
        self._cursor = cursor
        self._lock = write_lock
        self._catalogs = catalogs
        self._clock = clock
        self.keep = keep
        self.cache = VersionCache()
        self._base = base
        self._is_view = views

    def new_versions(self, principal: str) -> TableVersions:
        """The versions of a transaction about to begin on the calling thread's cursor."""
        return TableVersions(
            self._cursor(),
            principal,
            self._clock.now(),
            enabled=self.keep,
            cache=self.cache,
            local_base=self._base,
        )

    def state_of(self, name: TableName) -> TableState:
        """The table's registry state; a table that predates versions is adopted first (its
        current rows become version 0). A view or a missing table is refused."""
        if not self.keep:
            raise unsupported("table versions on an engine opened with table_versions=False")
        cursor = self._cursor()
        if not is_table(cursor, name):
            if self._is_view(name):
                raise sql_error(
                    InvalidInput,
                    "DELTA_ONLY_OPERATION",
                    "0AKDD",
                    f"`{name.full_name}` is a view: versions are kept for Delta tables only.",
                )
            raise table_not_found(name.full_name)
        state = self.cache.get(name.full_name) or registry.load(cursor, name)
        if state is not None:
            return state
        if name.catalog in self._catalogs.read_only:
            raise read_only_catalog(name.catalog)
        with self._lock:
            versions = self.new_versions("system")
            cursor.execute("BEGIN TRANSACTION")
            try:
                state = versions.open(name, "CONVERT").state
                versions.pending.clear()
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                self.cache.clear()
                raise
            versions.publish()
        return state

    def travel(self, travel: TimeTravel, values: dict[str, Any]) -> str:
        """The query of a time-travelled table's rows (for the statement planner)."""
        cursor = self._cursor()
        state = self.state_of(TableName.parse(travel.full_name))
        version = resolve(cursor, state, travel.kind, evaluate(cursor, travel, values))
        return version_query(cursor, state, version)

    def run(self, command: TableCommand, principal: str, values: dict[str, Any]) -> StatementResult:
        """DESCRIBE HISTORY/DETAIL, or RESTORE/OPTIMIZE/VACUUM in a transaction of their own."""
        cursor = self._cursor()
        name = command.table
        state = self.state_of(name)
        if isinstance(command, DescribeHistory):
            return operations.describe_history(cursor, state, command)
        table = describe_table(cursor, name.full_name)
        location = self._catalogs.location(name.catalog, name.schema, name.table)
        if isinstance(command, DescribeDetail):
            return operations.describe_detail(cursor, state, table, location, command)
        if name.catalog in self._catalogs.read_only:
            raise read_only_catalog(name.catalog)
        with self._lock:
            versions = self.new_versions(principal)
            cursor.execute("BEGIN TRANSACTION")
            try:
                state = versions.state(name) or state
                result: StatementResult
                if isinstance(command, Restore):
                    read = operations.timestamp_reader(cursor, values)
                    result = operations.restore(cursor, versions, state, command, read)
                elif isinstance(command, Optimize):
                    result = operations.optimize(cursor, versions, state, command, location)
                else:
                    result = operations.vacuum(
                        cursor, versions, state, table, command, location, versions.now
                    )
                versions.finish()
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                self.cache.clear()
                raise
            versions.publish()
        return result

    def describe(self, full_name: str) -> TableInfo:
        """A table's description with its latest version (when its history has started)."""
        cursor = self._cursor()
        info = describe_table(cursor, full_name)
        if info.table_type == "VIEW" or not self.keep:
            return info
        name = TableName.parse(full_name)
        state = self.cache.get(full_name) or registry.load(cursor, name)
        location = self._catalogs.location(name.catalog, name.schema, name.table)
        if state is None:
            return dataclasses.replace(info, storage_location=location)
        latest = registry.version_entry(cursor, state, state.latest_version)
        return dataclasses.replace(
            info,
            table_id=state.table_id,
            updated_at=latest.committed_at if latest else None,
            updated_by=latest.principal if latest else None,
            storage_location=location,
        )
