"""Statement state: submission, the PENDING -> RUNNING -> terminal lifecycle, waiting, cancel.

Statements run on a bounded thread pool; each :class:`Statement` is guarded
by its own lock and wakes asyncio waiters when it reaches a terminal state.
Results expire ``result_ttl_seconds`` after success (the statement then
reads as ``CLOSED``); terminal statements are forgotten after
``retention_seconds`` (then 404) or when more than ``max_statements`` are held.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from appkit_adapters.sql.warehouse import ColumnInfo, SqlParameter
from appkit_testing.workspace.errors import ApiError, resource_missing
from appkit_testing.workspace.identity.backend import Identity
from appkit_testing.workspace.statements.chunks import ChunkStore

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELED", "CLOSED"})


@dataclass(frozen=True)
class StatementRequest:
    statement: str
    parameters: tuple[SqlParameter, ...] = ()
    catalog: str | None = None
    schema: str | None = None
    disposition: str = "INLINE"
    format: str = "JSON_ARRAY"
    row_limit: int | None = None
    byte_limit: int | None = None
    result_compression: str | None = None
    session_id: str | None = None


@dataclass(frozen=True)
class StatementError:
    error_code: str
    message: str
    sql_state: str | None = None


@dataclass
class Statement:
    statement_id: str
    request: StatementRequest
    principal: Identity
    submitted_at: float
    state: str = "PENDING"
    kind: str = "UNKNOWN"
    error: StatementError | None = None
    columns: tuple[ColumnInfo, ...] = ()
    store: ChunkStore | None = None
    truncated: bool = False
    finished_at: float | None = None
    recorded: bool = False
    clock: Callable[[], float] = field(default=time.time, repr=False)
    listener: Callable[[Statement], None] | None = field(default=None, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = field(
        default_factory=list, repr=False
    )

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL

    def start(self) -> bool:
        """PENDING -> RUNNING; False when the statement was cancelled meanwhile."""
        with self.lock:
            if self.state != "PENDING":
                return False
            self.state = "RUNNING"
            return True

    def finish(self, state: str, **fields: Any) -> bool:
        """Move to a terminal ``state`` (first terminal state wins) and wake waiters."""
        with self.lock:
            if self.is_terminal:
                return False
            self.state = state
            for name, value in fields.items():
                setattr(self, name, value)
            self.finished_at = self.clock()
            waiters, self._waiters = self._waiters, []
        if self.listener is not None:  # recorded before any waiter sees the final state
            self.listener(self)
        for loop, future in waiters:
            loop.call_soon_threadsafe(_resolve, future)
        return True

    async def wait(self, timeout: float) -> None:
        """Return when terminal or after ``timeout`` seconds, whichever comes first."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self.lock:
            if self.is_terminal:
                return
            self._waiters.append((loop, future))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(future, timeout)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class StatementsBackend:
    """Holds statements; ``runner(statement)`` does the work on a pool thread."""

    def __init__(
        self,
        runner: Callable[[Statement], None],
        *,
        on_terminal: Callable[[Statement], None] = lambda statement: None,
        clock: Callable[[], float] = time.time,
        workers: int = 8,
        result_ttl_seconds: float = 3600.0,
        retention_seconds: float = 12 * 3600.0,
        max_statements: int = 2000,
    ) -> None:
        self._runner = runner
        self._on_terminal = on_terminal
        self._clock = clock
        self._workers = workers
        self.result_ttl_seconds = result_ttl_seconds
        self.retention_seconds = retention_seconds
        self.max_statements = max_statements
        self._lock = threading.Lock()
        self._statements: OrderedDict[str, Statement] = OrderedDict()
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="emulated-warehouse")

    def reset(self) -> None:
        with self._lock:
            held = list(self._statements.values())
            self._statements.clear()
        for statement in held:
            statement.finish("CANCELED")
            if statement.store is not None:
                statement.store.close()

    def shutdown(self) -> None:
        self.reset()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def submit(self, request: StatementRequest, principal: Identity, *, stuck: bool) -> Statement:
        """Register a statement; unless ``stuck`` it starts on the pool at once."""
        statement = Statement(
            str(uuid.uuid4()),
            request,
            principal,
            self._clock(),
            clock=self._clock,
            listener=self._notify,
        )
        with self._lock:
            self._statements[statement.statement_id] = statement
            self._evict()
        if not stuck:
            self._pool.submit(self._run, statement)
        return statement

    def _run(self, statement: Statement) -> None:
        try:
            self._runner(statement)
        except Exception as error:  # the runner maps known errors; anything else is internal
            statement.finish(
                "FAILED", error=StatementError("INTERNAL_ERROR", f"[INTERNAL_ERROR] {error}")
            )
        self._notify(statement)

    def _notify(self, statement: Statement) -> None:
        with statement.lock:
            if statement.recorded or not statement.is_terminal:
                return
            statement.recorded = True
        self._on_terminal(statement)

    def _evict(self) -> None:
        now = self._clock()
        for statement_id, statement in list(self._statements.items()):
            expired = (
                statement.finished_at is not None
                and now - statement.finished_at > self.retention_seconds
            )
            crowded = len(self._statements) > self.max_statements and statement.is_terminal
            if expired or crowded:
                del self._statements[statement_id]
                if statement.store is not None:
                    statement.store.close()

    def get(self, statement_id: str) -> Statement:
        with self._lock:
            self._evict()
            statement = self._statements.get(statement_id)
        if statement is None:
            raise resource_missing(f"Statement {statement_id} does not exist.")
        if (
            statement.state == "SUCCEEDED"
            and statement.finished_at is not None
            and self._clock() - statement.finished_at > self.result_ttl_seconds
        ):
            with statement.lock:
                statement.state = "CLOSED"
            if statement.store is not None:
                statement.store.close()
        return statement

    def close(self, statement_id: str) -> None:
        """Release a statement's result (cancelling it first if it still runs)."""
        statement = self.get(statement_id)
        statement.finish("CANCELED")
        self._notify(statement)
        with statement.lock:
            statement.state = "CLOSED"
        if statement.store is not None:
            statement.store.close()

    def cancel(self, statement_id: str) -> Statement:
        statement = self.get(statement_id)
        statement.finish("CANCELED")
        self._notify(statement)
        return statement

    def result_store(self, statement_id: str, chunk_index: int) -> tuple[Statement, ChunkStore]:
        statement = self.get(statement_id)
        if statement.state != "SUCCEEDED" or statement.store is None:
            raise ApiError(
                400,
                "INVALID_STATE" if statement.state != "CLOSED" else "RESOURCE_DOES_NOT_EXIST",
                f"Statement {statement_id} has no result to fetch (state {statement.state}).",
            )
        if not 0 <= chunk_index < len(statement.store.chunks):
            raise ApiError(
                400,
                "INVALID_PARAMETER_VALUE",
                f"Chunk index {chunk_index} is out of range for statement {statement_id}.",
            )
        return statement, statement.store
