"""An in-memory data-quality exception store.

``rows`` maps id to the stored exception; tests may read it or replace an
entry to simulate another writer. Every method yields to the event loop once,
so concurrent callers really interleave.
"""

from __future__ import annotations

import asyncio
from typing import Any

from appkit_domain.dq import DqException, DqQuery
from appkit_domain.errors import NotFound
from appkit_domain.pagination import Page, decode_token, encode_token
from appkit_domain.ports.dq_store import DqStore


def _sort_key(item: DqException) -> tuple[str, str]:
    return (item.detected_at.isoformat(), item.id)


class InMemoryDqStore(DqStore):
    def __init__(self) -> None:
        self.rows: dict[str, DqException] = {}
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

    async def get(self, exception_id: str) -> DqException:
        await asyncio.sleep(0)
        try:
            return self.rows[exception_id]
        except KeyError:
            raise NotFound(f"no data-quality exception {exception_id}") from None

    async def find_by_fingerprint(self, fingerprint: str) -> DqException | None:
        await asyncio.sleep(0)
        return next((r for r in self.rows.values() if r.fingerprint == fingerprint), None)

    async def query(self, query: DqQuery) -> Page[DqException]:
        await asyncio.sleep(0)
        matching = sorted((r for r in self.rows.values() if query.matches(r)), key=_sort_key)
        if query.page_token:
            at, last_id = decode_token(query.page_token, 2)
            cursor = (str(at), str(last_id))
            matching = [r for r in matching if _sort_key(r) > cursor]
        items = matching[: query.page_size]
        more = len(matching) > query.page_size
        token = encode_token(list(_sort_key(items[-1]))) if more and items else None
        return Page(items, token)
