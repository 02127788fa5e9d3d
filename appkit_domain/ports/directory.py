"""Directory port: who a principal is and which groups it belongs to, right now."""

from __future__ import annotations

from typing import Protocol

from appkit_domain.principal import Principal


class Directory(Protocol):
    """The identity directory (SCIM): principals and their current group memberships."""

    async def find(self, key: str) -> Principal:
        """Return the principal whose id or email (case-insensitive) is ``key``, with its groups.

        Raise :class:`appkit_domain.errors.NotFound` if the directory does not know it.
        """
        ...

    async def groups_of(self, principal_id: str) -> frozenset[str]:
        """Return the groups the principal belongs to now.

        Raise :class:`appkit_domain.errors.NotFound` if the directory does
        not know the id. Callers use this to evaluate eligibility at the
        moment of a decision, not at sign-in.
        """
        ...
