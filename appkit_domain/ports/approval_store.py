"""Approval store port: the read side of approval requests (writes go through units of work)."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Protocol

from appkit_domain.approvals.model import ApprovalRequest, ApprovalStatus
from appkit_domain.pagination import DEFAULT_PAGE_SIZE, Page


class ApprovalStore(Protocol):
    """Approval requests as the governance store committed them.

    A stored request reads back equal to what was committed (payload,
    decisions, times with their time zone, version). Contract suite:
    :class:`appkit_testing.contracts.approval_store.ApprovalStoreContract`.
    """

    async def get(self, approval_id: str) -> ApprovalRequest:
        """Return the stored request; :class:`appkit_domain.errors.NotFound` if there is none."""
        ...

    async def list(
        self,
        *,
        status: ApprovalStatus | None = None,
        kind: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        page_token: str | None = None,
    ) -> Page[ApprovalRequest]:
        """Requests matching every given filter, ordered by ``(created_at, id)``, one page a call.

        A malformed ``page_token`` is :class:`appkit_domain.errors.InvalidInput`.
        """
        ...

    async def due(self, now: datetime, *, limit: int = 100) -> builtins.list[ApprovalRequest]:
        """Up to ``limit`` ``PENDING`` requests whose deadline is at or before ``now``, by deadline."""
        ...
