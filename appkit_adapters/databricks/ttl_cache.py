"""A small async-aware TTL cache on an injected monotonic clock.

Concurrent misses for one key share a single load (no thundering herd on a
cold entry). Failed loads are not cached.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class TtlCache(Generic[V]):
    def __init__(self, ttl: float, monotonic: Callable[[], float], max_entries: int = 1024) -> None:
        self.ttl = ttl
        self._monotonic = monotonic
        self._max = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._loading: dict[Hashable, asyncio.Future[V]] = {}
        self.loads = 0

    def peek(self, key: Hashable) -> V | None:
        """The cached value if still fresh, else None (never loads)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, value = entry
        if self._monotonic() - stored_at >= self.ttl:
            del self._entries[key]
            return None
        return value

    async def get(self, key: Hashable, load: Callable[[], Awaitable[V]]) -> V:
        """The fresh cached value, or the result of ``load()`` (stored for ``ttl`` seconds)."""
        entry = self._entries.get(key)
        if entry is not None and self._monotonic() - entry[0] < self.ttl:
            return entry[1]
        pending = self._loading.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        try:
            self.loads += 1
            value = await load()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved so an unshared failure is not logged
            raise
        finally:
            self._loading.pop(key, None)
        future.set_result(value)
        self._entries[key] = (self._monotonic(), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
        return value

    def invalidate(self, key: Hashable | None = None) -> None:
        """Forget one key, or everything."""
        if key is None:
            self._entries.clear()
        else:
            self._entries.pop(key, None)
