"""Approval store port: versioned storage of approval requests."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Protocol

from appkit_domain.approvals.model import ApprovalRequest, ApprovalStatus
from appkit_domain.pagination import DEFAULT_PAGE_SIZE, Page


class ApprovalStore(Protocol):
    """Versioned storage of approval requests (rule 9 rests on :meth:`save`).

    A stored request reads back equal to what was stored (payload, decisions,
    times with their time zone, version). Contract suite:
    :class:`appkit_testing.contracts.approval_store.ApprovalStoreContract`.
    """

    async def add(self, request: ApprovalRequest) -> None:
        """Store a new request exactly as given.

        Raise :class:`appkit_domain.errors.Conflict` (and store nothing) if a
        request with the same id is already stored.
        """
        ...

    async def get(self, approval_id: str) -> ApprovalRequest:
        """Return the stored request; :class:`appkit_domain.errors.NotFound` if there is none."""
        ...

    async def save(self, request: ApprovalRequest, *, expected_version: int) -> None:
        """Replace the stored request by ``request`` if its stored version is ``expected_version``.

        ``request.version`` must be ``expected_version + 1``
        (:class:`appkit_domain.errors.InvalidInput` otherwise). If the stored
        version differs, raise :class:`appkit_domain.errors.StaleVersion` and
        change nothing; an unknown id is :class:`appkit_domain.errors.NotFound`.
        The compare and the write are one atomic step.
        """
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
