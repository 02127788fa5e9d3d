"""Override store port: versioned storage of metric overrides, the history kept."""

from __future__ import annotations

import builtins
from typing import Protocol

from appkit_domain.overrides.model import MetricKey, MetricOverride
from appkit_domain.pagination import DEFAULT_PAGE_SIZE, Page


class OverrideStore(Protocol):
    """Versioned storage of metric overrides; superseded ones are kept for history.

    Contract suite: :class:`appkit_testing.contracts.override_store.OverrideStoreContract`.
    """

    async def add(self, override: MetricOverride) -> None:
        """Store a new override; :class:`appkit_domain.errors.Conflict` if its id exists."""
        ...

    async def get(self, override_id: str) -> MetricOverride:
        """Return the override; :class:`appkit_domain.errors.NotFound` if there is none."""
        ...

    async def save(self, override: MetricOverride, *, expected_version: int) -> None:
        """Replace the stored override if its stored version is ``expected_version``.

        ``override.version`` must be ``expected_version + 1``
        (:class:`appkit_domain.errors.InvalidInput` otherwise); a different
        stored version is :class:`appkit_domain.errors.StaleVersion` and
        changes nothing; an unknown id is :class:`appkit_domain.errors.NotFound`.
        The compare and the write are one atomic step.
        """
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
