"""The DuckDB instance behind the engine and the cursors that reach it.

A DuckDB connection serves one call at a time, so every thread gets its own
cursor (a duplicate connection to the same instance) for statements, and every
result stream gets a dedicated one. No cursor runs ``USE``: every name that
reaches DuckDB is fully qualified.
"""

from __future__ import annotations

import threading
import weakref

import duckdb

from appkit_domain.errors import Unavailable


class Connections:
    """One in-memory DuckDB instance (catalog databases are attached to it) and its cursors."""

    def __init__(self) -> None:
        self._root = duckdb.connect(":memory:")
        self._root.execute("SET GLOBAL TimeZone = 'UTC'")
        self._lock = threading.Lock()
        # weak: a finished thread's cursor is closed when its thread-local storage goes
        self._open: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()
        self._local = threading.local()
        self.closed = False

    def check_open(self) -> None:
        if self.closed:
            raise Unavailable("the local engine is closed")

    def dedicated(self) -> duckdb.DuckDBPyConnection:
        """A new cursor for one caller (a result stream); give it back with :meth:`release`."""
        self.check_open()
        cursor = self._root.cursor()
        with self._lock:
            self._open.add(cursor)
        return cursor

    def release(self, cursor: duckdb.DuckDBPyConnection) -> None:
        with self._lock:
            self._open.discard(cursor)
        cursor.close()

    def current(self) -> duckdb.DuckDBPyConnection:
        """The calling thread's cursor."""
        cursor: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self.dedicated()
            self._local.cursor = cursor
        return cursor

    def close(self) -> None:
        """Close every cursor and the instance; later use raises ``Unavailable``."""
        if self.closed:
            return
        self.closed = True
        with self._lock:
            cursors, self._open = list(self._open), weakref.WeakSet()
        for cursor in cursors:
            cursor.close()
        self._root.close()
