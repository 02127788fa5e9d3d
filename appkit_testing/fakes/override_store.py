"""An in-memory override store with optimistic versioning.

``overrides`` is the stored table (id -> override); tests may read or
tamper with it. Each method yields to the event loop first so concurrent
commands interleave; compare and write happen with no await between them.
"""

from __future__ import annotations

import asyncio
import builtins
from typing import Any

from appkit_domain.audit.chain import format_time
from appkit_domain.errors import NotFound
from appkit_domain.overrides.model import MetricKey, MetricOverride, OverrideStatus
from appkit_domain.pagination import (
    DEFAULT_PAGE_SIZE,
    Page,
    check_page_size,
    decode_token,
    encode_token,
)
from appkit_domain.ports.override_store import OverrideStore


class InMemoryOverrideStore(OverrideStore):
    def __init__(self) -> None:
        self.overrides: dict[str, MetricOverride] = {}
        self.saves = 0
        self._ids_by_key: dict[MetricKey, list[str]] = {}

    def _of_key(self, key: MetricKey) -> builtins.list[MetricOverride]:
        ids = self._ids_by_key.get(key, [])
        return [o for o in (self.overrides[i] for i in ids) if o.key == key]

    def stored(self, key: str) -> Any:
        """The committed item with id ``key``, or None (the governance store reads it)."""
        return self.overrides.get(key)

    def all(self) -> list[Any]:
        return list(self.overrides.values())

    def put(self, item: Any) -> None:
        """Install ``item`` as committed by the governance store (no checks: it checked)."""
        if item.id not in self.overrides:
            self._ids_by_key.setdefault(item.key, []).append(item.id)
        self.overrides[item.id] = item
        self.saves += 1

    async def get(self, override_id: str) -> MetricOverride:
        await asyncio.sleep(0)
        try:
            return self.overrides[override_id]
        except KeyError:
            raise NotFound(f"no override {override_id}") from None

    async def active(self, key: MetricKey) -> builtins.list[MetricOverride]:
        await asyncio.sleep(0)
        found = [o for o in self._of_key(key) if o.status is OverrideStatus.ACTIVE]
        return sorted(found, key=lambda o: (o.applied_at or o.created_at, o.id))

    async def history(
        self,
        key: MetricKey,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        page_token: str | None = None,
    ) -> Page[MetricOverride]:
        await asyncio.sleep(0)
        check_page_size(page_size)

        def order(o: MetricOverride) -> tuple[str, str]:
            return (format_time(o.created_at), o.id)

        matching = sorted(self._of_key(key), key=order)
        if page_token:
            at, last_id = decode_token(page_token, 2)
            cursor = (str(at), str(last_id))
            matching = [o for o in matching if order(o) > cursor]
        items = matching[:page_size]
        more = len(matching) > page_size
        token = encode_token(list(order(items[-1]))) if more and items else None
        return Page(items, token)
