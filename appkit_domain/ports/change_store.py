"""Write-back change request store port."""

from __future__ import annotations

from typing import Protocol

from appkit_domain.pagination import Page
from appkit_domain.writeback.change import ChangeRequest
from appkit_domain.writeback.query import ChangeQuery


class ChangeStore(Protocol):
    """Versioned storage of write-back change requests.

    A stored change reads back equal to what was stored (key, values and
    before-image in canonical JSON form, times with their time zone).
    Contract suite: :class:`appkit_testing.contracts.change_store.ChangeStoreContract`.
    """

    async def add(self, change: ChangeRequest) -> None:
        """Store a new change request; an existing ``id`` is ``Conflict`` and stores nothing."""
        ...

    async def get(self, change_id: str) -> ChangeRequest:
        """Return the stored change request, or raise :class:`~appkit_domain.errors.NotFound`."""
        ...

    async def save(self, change: ChangeRequest, expected_version: int) -> None:
        """Replace the stored change if it is still at ``expected_version``.

        ``change.version`` must be ``expected_version + 1`` (else
        ``InvalidInput``); another stored version is ``StaleVersion`` and
        changes nothing; an unknown id is ``NotFound``. The compare and the
        write are one atomic step.
        """
        ...

    async def query(self, query: ChangeQuery) -> Page[ChangeRequest]:
        """Changes matching ``query`` ordered by ``(created_at, id)``, one page at a time.

        A malformed ``page_token`` is :class:`~appkit_domain.errors.InvalidInput`.
        """
        ...
