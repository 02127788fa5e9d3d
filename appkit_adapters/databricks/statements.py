"""``StatementExecutionWarehouse``: the ``SqlWarehouse`` interface over the Statement Execution API.

A statement is submitted with a ``wait_timeout``, then polled until it reaches
a terminal state. When the caller is cancelled or the statement's deadline
passes, the statement is cancelled on the warehouse (``POST .../cancel``).
Results arrive chunk by chunk (inline ``JSON_ARRAY`` or ``EXTERNAL_LINKS``),
prefetched concurrently up to ``fetch_concurrency`` chunks ahead, in order,
so memory stays bounded however large the result. A ``FAILED`` statement
raises the domain error for its condition with the error code and SQL state
in ``details``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from appkit_adapters.databricks.errors import statement_failure
from appkit_adapters.databricks.http import DatabricksHttp
from appkit_adapters.databricks.result_stream import RowStream
from appkit_adapters.databricks.results import (
    affected_rows_of,
    columns_of,
    is_read_only,
    wire_parameters,
)
from appkit_adapters.resilience import DeadlineExceeded
from appkit_adapters.sql.warehouse import Parameters, SqlWarehouse, StatementResult
from appkit_domain.errors import AppkitError, InvalidInput, Unavailable

log = logging.getLogger(__name__)

STATEMENTS = "/api/2.0/sql/statements"
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELED", "CLOSED"})
_DISPOSITIONS = frozenset({"INLINE", "EXTERNAL_LINKS"})


class StatementExecutionWarehouse(SqlWarehouse):
    """Runs Databricks SQL on one SQL warehouse as the ``http`` client's identity.

    * ``wait_timeout``: seconds the submit call may wait for the result (0, or 5..50).
    * ``poll_initial`` / ``poll_max``: the polling interval grows from one to the other.
    * ``deadline``: default seconds a statement may take in total (the pipeline's
      deadline when None); ``execute(..., deadline=)`` overrides it per call.
    * ``disposition``: ``INLINE`` or ``EXTERNAL_LINKS`` (large results).
    * ``fetch_concurrency``: chunks fetched ahead of the reader.

    A caller cancelled while the submit request itself is in flight leaves the
    statement running: the warehouse has not yet said its id. A smaller
    ``wait_timeout`` narrows that window at the cost of a poll.
    """

    def __init__(
        self,
        http: DatabricksHttp,
        warehouse_id: str,
        *,
        catalog: str | None = None,
        schema: str | None = None,
        wait_timeout: float = 10.0,
        poll_initial: float = 0.1,
        poll_max: float = 2.0,
        deadline: float | None = None,
        disposition: str = "INLINE",
        fetch_concurrency: int = 4,
    ) -> None:
        if not warehouse_id:
            raise InvalidInput("a warehouse id is needed")
        if disposition not in _DISPOSITIONS:
            raise InvalidInput(f"disposition must be one of {sorted(_DISPOSITIONS)}")
        if fetch_concurrency < 1:
            raise InvalidInput("fetch_concurrency must be at least 1")
        self.http = http
        self.warehouse_id = warehouse_id
        self.catalog = catalog
        self.schema = schema
        self.wait_timeout = wait_timeout
        self.poll_initial = poll_initial
        self.poll_max = poll_max
        self.deadline = deadline
        self.disposition = disposition
        self.fetch_concurrency = fetch_concurrency
        self.round_trips = 0
        self._background: set[asyncio.Task[None]] = set()

    @property
    def timer(self) -> Any:
        return self.http.pipeline.timer

    async def execute(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        row_limit: int | None = None,
        idempotent: bool = False,
        deadline: float | None = None,
    ) -> StatementResult:
        """Run one statement and return all its rows (see :class:`SqlWarehouse`)."""
        stream = await self.stream(
            statement, parameters, row_limit=row_limit, idempotent=idempotent, deadline=deadline
        )
        rows: list[tuple[Any, ...]] = []
        async with stream:
            async for batch in stream.batches():
                rows.extend(batch)
        return StatementResult(
            columns=stream.columns,
            rows=rows,
            affected_rows=affected_rows_of(stream.columns, rows),
            truncated=stream.truncated,
            statement_id=stream.statement_id,
        )

    async def iterate(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        row_limit: int | None = None,
        idempotent: bool = False,
        deadline: float | None = None,
    ) -> AsyncIterator[tuple[Any, ...]]:
        """Yield the rows one by one, holding at most ``fetch_concurrency + 1`` chunks."""
        stream = await self.stream(
            statement, parameters, row_limit=row_limit, idempotent=idempotent, deadline=deadline
        )
        async with stream:
            async for batch in stream.batches():
                for row in batch:
                    yield row

    async def iterate_batches(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        row_limit: int | None = None,
        idempotent: bool = False,
        deadline: float | None = None,
    ) -> AsyncIterator[list[tuple[Any, ...]]]:
        """Yield the decoded rows one result chunk at a time (the cheapest way to stream)."""
        stream = await self.stream(
            statement, parameters, row_limit=row_limit, idempotent=idempotent, deadline=deadline
        )
        async with stream:
            async for batch in stream.batches():
                yield batch

    async def stream(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        row_limit: int | None = None,
        idempotent: bool = False,
        deadline: float | None = None,
    ) -> RowStream:
        """Run the statement to success and return a stream over its rows (close it when done)."""
        limit = deadline if deadline is not None else self.deadline
        if limit is None:
            limit = self.http.pipeline.policy.deadline
        ends_at = None if limit is None else self.timer.monotonic() + limit
        body: dict[str, Any] = {
            "statement": statement,
            "warehouse_id": self.warehouse_id,
            "wait_timeout": f"{self._wait_seconds(ends_at)}s",
            "on_wait_timeout": "CONTINUE",
            "disposition": self.disposition,
            "format": "JSON_ARRAY",
        }
        wire = wire_parameters(parameters)
        if wire:
            body["parameters"] = wire
        if self.catalog:
            body["catalog"] = self.catalog
        if self.schema:
            body["schema"] = self.schema
        if row_limit is not None:
            if row_limit < 0:
                raise InvalidInput("row_limit must not be negative")
            body["row_limit"] = row_limit
        safe = idempotent or is_read_only(statement)
        self.round_trips += 1
        response = await self.http.request_json(
            "POST", STATEMENTS, body=body, idempotent=safe, deadline=self._remaining(ends_at)
        )
        statement_id = str(response.get("statement_id") or "")
        if not statement_id:
            raise Unavailable("the warehouse accepted a statement without an id")
        try:
            response = await self._until_terminal(statement_id, response, ends_at)
        except asyncio.CancelledError:
            await self._cancel_in_background(statement_id)
            raise
        except DeadlineExceeded as exc:
            await self._cancel_quietly(statement_id)
            if "statement_id" in exc.details:
                raise
            details = {**exc.details, "statement_id": statement_id}
            raise DeadlineExceeded(exc.message, details=details) from exc
        return self._result_stream(statement_id, response)

    async def cancel(self, statement_id: str) -> None:
        """Ask the warehouse to cancel a statement (safe to repeat)."""
        self.round_trips += 1
        await self.http.request_json(
            "POST", f"{STATEMENTS}/{statement_id}/cancel", body={}, idempotent=True, deadline=15.0
        )

    async def _until_terminal(
        self, statement_id: str, response: dict[str, Any], ends_at: float | None
    ) -> dict[str, Any]:
        delay = self.poll_initial
        while _state(response) not in TERMINAL:
            remaining = self._remaining(ends_at)
            if remaining is not None and remaining <= 0:
                raise DeadlineExceeded(
                    "the statement did not finish before its deadline",
                    details={"statement_id": statement_id, "state": _state(response)},
                )
            await self.timer.sleep(delay if remaining is None else min(delay, remaining))
            delay = min(self.poll_max, delay * 2)
            if ends_at is not None and self.timer.monotonic() >= ends_at:
                continue  # the loop head cancels
            self.round_trips += 1
            response = await self.http.request_json(
                "GET", f"{STATEMENTS}/{statement_id}", deadline=self._remaining(ends_at)
            )
        return response

    def _result_stream(self, statement_id: str, response: dict[str, Any]) -> RowStream:
        state = _state(response)
        status = response.get("status") or {}
        if state == "FAILED":
            raise statement_failure(statement_id, status)
        if state in ("CANCELED", "CLOSED"):
            raise Unavailable(
                f"the statement ended {state} before returning results",
                details={"statement_id": statement_id, "state": state},
            )
        manifest = response.get("manifest") or {}
        return RowStream(
            warehouse=self,
            statement_id=statement_id,
            columns=columns_of(manifest),
            manifest=manifest,
            first=response.get("result") or {},
        )

    def _wait_seconds(self, ends_at: float | None) -> int:
        limit = self.wait_timeout
        remaining = self._remaining(ends_at)
        if remaining is not None:
            limit = min(limit, remaining - 1)
        request_timeout = self.http.pipeline.policy.request_timeout
        if request_timeout is not None:
            limit = min(limit, request_timeout - 2)
        return int(min(limit, 50)) if limit >= 5 else 0

    def _remaining(self, ends_at: float | None) -> float | None:
        return None if ends_at is None else ends_at - self.timer.monotonic()

    async def _cancel_quietly(self, statement_id: str) -> None:
        try:
            await self.cancel(statement_id)
        except AppkitError as exc:
            log.warning("could not cancel statement %s: %s", statement_id, type(exc).__name__)

    async def _cancel_in_background(self, statement_id: str) -> None:
        """Cancel on the warehouse even though the calling task itself is being cancelled."""
        task = asyncio.get_running_loop().create_task(self._cancel_quietly(statement_id))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        # The cancel keeps running if we are interrupted again; our caller re-raises.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(task)

    async def chunk(self, statement_id: str, index: int) -> dict[str, Any]:
        """One result chunk (``ResultData``) by index."""
        self.round_trips += 1
        path = f"{STATEMENTS}/{statement_id}/result/chunks/{index}"
        result: dict[str, Any] = await self.http.request_json("GET", path)
        return result

    async def download(self, link: dict[str, Any]) -> bytes:
        """One external link's bytes (no Databricks credentials, only the link's headers)."""
        self.round_trips += 1
        url = link.get("external_link")
        if not isinstance(url, str) or not url:
            raise Unavailable("a result chunk has an external link without a URL")
        headers = link.get("http_headers") or {}
        return await self.http.fetch_external(url, headers)


def _state(response: dict[str, Any]) -> str:
    return str((response.get("status") or {}).get("state") or "PENDING").upper()
