"""``RowStream``: the rows of a succeeded statement, chunk by chunk, in bounded memory.

Chunk 0 comes with the statement response. The rest are fetched ahead of the
reader, at most ``fetch_concurrency`` at a time, and handed out in order.
When the manifest gives ``total_chunk_count`` the chunk indexes are known
and fetched concurrently; otherwise ``next_chunk_index`` is followed one by
one. An inline chunk carries ``data_array``; an ``EXTERNAL_LINKS`` chunk
carries links downloaded without Databricks credentials.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from appkit_adapters.databricks.results import row_decoder
from appkit_adapters.sql.warehouse import ColumnInfo
from appkit_domain.errors import InvalidInput, NotFound, PermissionDenied, Unavailable

if TYPE_CHECKING:
    from appkit_adapters.databricks.statements import StatementExecutionWarehouse

RawRows = list[list[str | None]]


class RowStream:
    """Async iterator of decoded row tuples; ``async with`` closes outstanding fetches."""

    def __init__(
        self,
        *,
        warehouse: StatementExecutionWarehouse,
        statement_id: str,
        columns: tuple[ColumnInfo, ...],
        manifest: dict[str, Any],
        first: dict[str, Any],
    ) -> None:
        self.warehouse = warehouse
        self.statement_id = statement_id
        self.columns = columns
        self.truncated = bool(manifest.get("truncated"))
        total = manifest.get("total_row_count")
        self.total_row_count = int(total) if total is not None else None
        self._manifest = manifest
        self._first = first
        self._decode = row_decoder(columns)
        self._pending: deque[asyncio.Task[RawRows]] = deque()
        self._rows = self._iterate()

    def __aiter__(self) -> AsyncIterator[tuple[Any, ...]]:
        return self._rows

    async def __anext__(self) -> tuple[Any, ...]:
        return await self._rows.__anext__()

    async def __aenter__(self) -> RowStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop fetching: cancel chunk fetches still in flight."""
        await self._rows.aclose()
        await self._drop_pending()

    async def chunks(self) -> AsyncGenerator[RawRows, None]:
        """The raw ``data_array`` of every chunk, in order."""
        yield await self._materialise(self._first)
        total = self._manifest.get("total_chunk_count")
        if isinstance(total, int) and total > 1:
            indexes: Iterator[int] = iter(range(1, total))
            try:
                for index in indexes:
                    self._pending.append(self._fetch(index))
                    if len(self._pending) >= self.warehouse.fetch_concurrency:
                        break
                while self._pending:
                    rows = await self._pending.popleft()
                    following = next(indexes, None)
                    if following is not None:
                        self._pending.append(self._fetch(following))
                    yield rows
            finally:
                await self._drop_pending()
            return
        following = _next_index(self._first)
        while following is not None:
            data = await self.warehouse.chunk(self.statement_id, following)
            yield await self._materialise(data)
            following = _next_index(data)

    async def batches(self) -> AsyncGenerator[list[tuple[Any, ...]], None]:
        """The decoded rows chunk by chunk (one await per chunk, not per row)."""
        decode = self._decode
        chunks = self.chunks()
        try:
            async for raw in chunks:
                yield [decode(row) for row in raw]
        finally:
            await chunks.aclose()

    async def _iterate(self) -> AsyncGenerator[tuple[Any, ...], None]:
        batches = self.batches()
        try:
            async for batch in batches:
                for row in batch:
                    yield row
        finally:
            await batches.aclose()

    def _fetch(self, index: int) -> asyncio.Task[RawRows]:
        async def fetch() -> RawRows:
            data = await self.warehouse.chunk(self.statement_id, index)
            return await self._materialise(data)

        return asyncio.get_running_loop().create_task(fetch())

    async def _materialise(self, data: dict[str, Any], *, refreshed: bool = False) -> RawRows:
        """The rows of one chunk: inline, or downloaded from its external links.

        A link refused by the storage (expired or revoked: 400/403/404) makes the
        chunk be asked for again once, for fresh links.
        """
        links = data.get("external_links")
        if not links:
            return list(data.get("data_array") or [])
        rows: RawRows = []
        for link in links:
            try:
                payload = await self.warehouse.download(link)
            except (PermissionDenied, NotFound, InvalidInput):
                index = link.get("chunk_index", data.get("chunk_index"))
                if refreshed or index is None:
                    raise
                fresh = await self.warehouse.chunk(self.statement_id, int(index))
                return await self._materialise(fresh, refreshed=True)
            try:
                part = json.loads(payload) if payload.strip() else []
            except ValueError:
                raise Unavailable(
                    "an external result chunk is not JSON",
                    details={"statement_id": self.statement_id},
                ) from None
            rows.extend(part)
        return rows

    async def _drop_pending(self) -> None:
        pending = list(self._pending)
        self._pending.clear()
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


def _next_index(data: dict[str, Any]) -> int | None:
    value = data.get("next_chunk_index")
    if value is None:
        links = data.get("external_links") or []
        value = links[-1].get("next_chunk_index") if links else None
    return int(value) if value is not None else None
