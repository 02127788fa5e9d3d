"""An in-memory write-back change store.

``rows`` maps id to the stored change; tests may read it or replace an entry
to simulate another writer. Every method yields to the event loop once, so
concurrent callers really interleave; the version compare and the write
happen with no await between them.
"""

from __future__ import annotations

import asyncio
from typing import Any

from appkit_domain.errors import NotFound
from appkit_domain.pagination import Page, decode_token, encode_token
from appkit_domain.ports.change_store import ChangeStore
from appkit_domain.writeback import ChangeQuery, ChangeRequest


def _sort_key(change: ChangeRequest) -> tuple[str, str]:
    return (change.created_at.isoformat(), change.id)


class InMemoryChangeStore(ChangeStore):
    def __init__(self) -> None:
        self.rows: dict[str, ChangeRequest] = {}
        self.saves = 0

    def stored(self, key: str) -> Any:
        """The committed item with id ``key``, or None (the governance store reads it)."""
        return self.rows.get(key)

    def all(self) -> list[Any]:
        return list(self.rows.values())

    def put(self, item: Any) -> None:
        """Install ``item`` as committed by the governance store (no checks: it checked)."""
        self.rows[item.id] = item
        self.saves += 1

    async def get(self, change_id: str) -> ChangeRequest:
        await asyncio.sleep(0)
        try:
            return self.rows[change_id]
        except KeyError:
            raise NotFound(f"no change request {change_id}") from None

    async def query(self, query: ChangeQuery) -> Page[ChangeRequest]:
        await asyncio.sleep(0)
        matching = sorted((c for c in self.rows.values() if query.matches(c)), key=_sort_key)
        if query.page_token:
            at, last_id = decode_token(query.page_token, 2)
            cursor = (str(at), str(last_id))
            matching = [c for c in matching if _sort_key(c) > cursor]
        items = matching[: query.page_size]
        more = len(matching) > query.page_size
        token = encode_token(list(_sort_key(items[-1]))) if more and items else None
        return Page(items, token)
