"""Override store port: versioned storage of metric overrides, the history kept."""

from __future__ import annotations

import builtins
from typing import Protocol

from appkit_domain.overrides.model import MetricKey, MetricOverride
from appkit_domain.pagination import DEFAULT_PAGE_SIZE, Page


class OverrideStore(Protocol):
    """The read side of metric overrides; superseded ones are kept for history.

    Contract suite: :class:`appkit_testing.contracts.override_store.OverrideStoreContract`.
    """

    async def get(self, override_id: str) -> MetricOverride:
        """Return the override; :class:`appkit_domain.errors.NotFound` if there is none."""
        ...

    async def active(self, key: MetricKey) -> builtins.list[MetricOverride]:
        """Every ``ACTIVE`` override of ``key``, ordered by ``(applied_at, id)``; ``[]`` if none."""
        ...

    async def history(
        self,
        key: MetricKey,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        page_token: str | None = None,
    ) -> Page[MetricOverride]:
        """Every override of ``key`` in any status, ordered by ``(created_at, id)``, paged.

        A malformed ``page_token`` is :class:`appkit_domain.errors.InvalidInput`.
        """
        ...
