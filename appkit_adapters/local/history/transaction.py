"""The table versions one DuckDB transaction makes: at most one new version per table.

Every write that changes a table opens that table's pending version (its
number: the latest plus one) and records into it what it did; when the
transaction is about to commit, :meth:`TableVersions.finish` writes one log
entry per table that changed (a DDL statement always counts). A table no
statement changed gets no version, so a statement sent again that finds its
work done (a guarded write touching no row) leaves the history as it was.
Commit times never go backwards per table.

:class:`VersionCache` keeps the committed registry state of each table, so a
write does not read the registry first; the engine updates it only after a
commit (:meth:`TableVersions.publish`) and empties it when one fails.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

import duckdb

from appkit_adapters.local.history import registry
from appkit_adapters.local.history.registry import NewVersion, TableState
from appkit_adapters.local.history.rows import add_rows
from appkit_adapters.local.naming import TableName

_TICK = dt.timedelta(milliseconds=1)


class VersionCache:
    """Committed registry states by table name (one engine owns its catalog files)."""

    def __init__(self) -> None:
        self._states: dict[str, TableState] = {}
        self._lock = threading.Lock()

    def get(self, full_name: str) -> TableState | None:
        with self._lock:
            return self._states.get(full_name)

    def put(self, state: TableState) -> None:
        with self._lock:
            self._states[state.name.full_name] = state

    def drop(self, full_name: str) -> None:
        with self._lock:
            self._states.pop(full_name, None)

    def clear(self) -> None:
        with self._lock:
            self._states.clear()


@dataclass
class PendingVersion:
    """What one transaction did to one table so far."""

    state: TableState
    version: int
    operation: str
    parameters: dict[str, str] = field(default_factory=dict)
    metrics: Counter[str] = field(default_factory=Counter)
    changed: bool = False
    forced: bool = False
    blind_append: bool = False
    writes: int = 0
    """Statements of this transaction that wrote the table's rows so far."""
    loaded: TableState | None = None

    def count(self, **metrics: int) -> None:
        self.metrics.update(metrics)


class TableVersions:
    """The pending versions of one transaction, written by :meth:`finish` before it commits.

    ``enabled`` False (an engine that keeps no versions) makes writes record
    nothing. ``local_base`` is the smallest row id DuckDB gives a row a
    transaction appends (see :mod:`~appkit_adapters.local.history.rows`).
    """

    def __init__(
        self,
        cursor: duckdb.DuckDBPyConnection,
        principal: str,
        now: dt.datetime,
        *,
        enabled: bool = True,
        cache: VersionCache | None = None,
        local_base: int | None = None,
    ) -> None:
        self.cursor = cursor
        self.principal = principal
        self.now = now
        self.enabled = enabled
        self.cache = cache
        self.local_base = local_base
        self.pending: dict[str, PendingVersion] = {}
        self._committed: list[TableState] = []
        self._dropped: set[str] = set()

    def state(self, name: TableName) -> TableState | None:
        """The table's registry state as this transaction sees it."""
        found = self.pending.get(name.full_name)
        if found is not None:
            return found.state
        for committed in reversed(self._committed):
            if committed.name == name and name.full_name not in self._dropped:
                return committed
        if self.cache is not None and name.full_name not in self._dropped:
            cached = self.cache.get(name.full_name)
            if cached is not None:
                return cached
        return registry.load(self.cursor, name)

    def open(
        self,
        name: TableName,
        operation: str,
        parameters: dict[str, str] | None = None,
        *,
        adopt: bool = True,
    ) -> PendingVersion:
        """The pending version of ``name`` (the first statement to open it names its operation).

        A table whose history has not started yet (it predates versions, or was
        just created) gets one: with ``adopt``, its current rows become version 0
        (``CONVERT``) before this transaction's version.
        """
        found = self.pending.get(name.full_name)
        if found is not None:
            return found
        state = self.state(name)
        if state is None:
            state = registry.start(self.cursor, name)
            if adopt:
                state = self._adopt(state)
        entry = PendingVersion(
            state, state.latest_version + 1, operation, dict(parameters or {}), loaded=state
        )
        self.pending[name.full_name] = entry
        return entry

    def _adopt(self, state: TableState) -> TableState:
        rows = add_rows(self.cursor, state, 0)
        registry.save(self.cursor, state, self.now)
        adopted = replace(state, latest_version=0, latest_at=self.now, new=False)
        files = "1" if rows else "0"
        registry.append_versions(
            self.cursor,
            [NewVersion(adopted, 0, self.now, self.principal, "CONVERT", {"numFiles": files}, {})],
        )
        self._committed.append(adopted)
        return adopted

    def reconcile(self, entry: PendingVersion) -> bool:
        """After a schema change: map the table's columns again; True if they changed."""
        entry.state, changed = registry.reconcile_columns(self.cursor, entry.state)
        return changed

    def forget(self, name: TableName) -> None:
        """The table was dropped or renamed: nothing pending, nothing cached for it."""
        self.pending.pop(name.full_name, None)
        self._dropped.add(name.full_name)

    def finish(self) -> dict[str, int]:
        """Write the log entry of every changed table; the versions made, by table."""
        made: dict[str, int] = {}
        entries: dict[str, list[NewVersion]] = defaultdict(list)
        for full_name, entry in self.pending.items():
            if not (entry.changed or entry.forced):
                continue
            state = entry.state
            at = self.now
            if state.latest_at is not None and at <= state.latest_at:
                at = state.latest_at + _TICK
            metrics = {key: str(value) for key, value in sorted(entry.metrics.items())}
            entries[state.name.catalog].append(
                NewVersion(
                    state,
                    entry.version,
                    at,
                    self.principal,
                    entry.operation,
                    entry.parameters,
                    metrics,
                    entry.blind_append,
                )
            )
            if state.new or state != entry.loaded:
                registry.save(self.cursor, state, at)
            committed = replace(state, latest_version=entry.version, latest_at=at, new=False)
            self._committed.append(committed)
            made[full_name] = entry.version
        for catalog_entries in entries.values():
            registry.append_versions(self.cursor, catalog_entries)
        self.pending.clear()
        return made

    def publish(self) -> None:
        """The transaction committed: remember the tables' new states."""
        if self.cache is None:
            return
        for full_name in self._dropped:
            self.cache.drop(full_name)
        for state in self._committed:
            self.cache.put(state)
        self._committed.clear()
        self._dropped.clear()
