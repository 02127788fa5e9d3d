"""An in-memory approval store with optimistic versioning.

``requests`` is the stored table (id -> request) exactly as a SQL store would
hold it; tests may read it or tamper with it. Every method yields to the
event loop before touching state (``await asyncio.sleep(0)``), so concurrent
commands really interleave between their read and their write; the
version compare and the write happen with no await between them.
``saves`` counts the states the governance store installed.
"""

from __future__ import annotations

import asyncio
import builtins
from datetime import datetime
from typing import Any

from appkit_domain.approvals.model import ApprovalRequest, ApprovalStatus
from appkit_domain.audit.chain import format_time
from appkit_domain.errors import NotFound
from appkit_domain.pagination import (
    DEFAULT_PAGE_SIZE,
    Page,
    check_page_size,
    decode_token,
    encode_token,
)
from appkit_domain.ports.approval_store import ApprovalStore


class InMemoryApprovalStore(ApprovalStore):
    def __init__(self) -> None:
        self.requests: dict[str, ApprovalRequest] = {}
        self.saves = 0

    def stored(self, key: str) -> Any:
        """The committed item with id ``key``, or None (the governance store reads it)."""
        return self.requests.get(key)

    def all(self) -> list[Any]:
        return list(self.requests.values())

    def put(self, item: Any) -> None:
        """Install ``item`` as committed by the governance store (no checks: it checked)."""
        self.requests[item.id] = item
        self.saves += 1

    async def get(self, approval_id: str) -> ApprovalRequest:
        await asyncio.sleep(0)
        try:
            return self.requests[approval_id]
        except KeyError:
            raise NotFound(f"no approval request {approval_id}") from None

    async def list(
        self,
        *,
        status: ApprovalStatus | None = None,
        kind: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        page_token: str | None = None,
    ) -> Page[ApprovalRequest]:
        await asyncio.sleep(0)
        check_page_size(page_size)

        def key(request: ApprovalRequest) -> tuple[str, str]:
            return (format_time(request.created_at), request.id)

        matching = sorted(
            (
                r
                for r in self.requests.values()
                if (status is None or r.status is status) and (kind is None or r.kind == kind)
            ),
            key=key,
        )
        if page_token:
            at, last_id = decode_token(page_token, 2)
            cursor = (str(at), str(last_id))
            matching = [r for r in matching if key(r) > cursor]
        items = matching[:page_size]
        more = len(matching) > page_size
        token = encode_token(list(key(items[-1]))) if more and items else None
        return Page(items, token)

    async def due(self, now: datetime, *, limit: int = 100) -> builtins.list[ApprovalRequest]:
        await asyncio.sleep(0)
        pending = [
            r
            for r in self.requests.values()
            if r.status is ApprovalStatus.PENDING and r.deadline <= now
        ]
        return sorted(pending, key=lambda r: (r.deadline, r.id))[:limit]
