"""Data-quality exception store port."""

from __future__ import annotations

from typing import Protocol

from appkit_domain.dq.exception import DqException
from appkit_domain.dq.query import DqQuery
from appkit_domain.pagination import Page


class DqStore(Protocol):
    """The read side of data-quality exceptions, unique by fingerprint.

    The fingerprint uniqueness is what makes ingest idempotent when two
    ingests race. Contract suite: :class:`appkit_testing.contracts.dq_store.DqStoreContract`.
    """

    async def get(self, exception_id: str) -> DqException:
        """Return the stored exception, or raise :class:`appkit_domain.errors.NotFound`."""
        ...

    async def find_by_fingerprint(self, fingerprint: str) -> DqException | None:
        """Return the exception holding ``fingerprint``, or None."""
        ...

    async def query(self, query: DqQuery) -> Page[DqException]:
        """Return exceptions matching every filter of ``query`` by ``(detected_at, id)``, paged.

        A malformed ``page_token`` is :class:`~appkit_domain.errors.InvalidInput`.
        """
        ...
