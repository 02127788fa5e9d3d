"""Write-back change request store port."""

from __future__ import annotations

from typing import Protocol

from appkit_domain.pagination import Page
from appkit_domain.writeback.change import ChangeRequest
from appkit_domain.writeback.query import ChangeQuery


class ChangeStore(Protocol):
    """The read side of write-back change requests.

    A stored change reads back equal to what was stored (key, values and
    before-image in canonical JSON form, times with their time zone).
    Contract suite: :class:`appkit_testing.contracts.change_store.ChangeStoreContract`.
    """

    async def get(self, change_id: str) -> ChangeRequest:
        """Return the stored change request, or raise :class:`~appkit_domain.errors.NotFound`."""
        ...

    async def query(self, query: ChangeQuery) -> Page[ChangeRequest]:
        """Changes matching ``query`` ordered by ``(created_at, id)``, one page at a time.

        A malformed ``page_token`` is :class:`~appkit_domain.errors.InvalidInput`.
        """
        ...
