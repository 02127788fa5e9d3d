"""An in-memory directory whose membership tests change at will.

``principals`` maps id -> principal (with its current groups); ``lookups``
counts calls, so a test can see that eligibility was resolved at decision time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from appkit_domain.errors import NotFound
from appkit_domain.ports.directory import Directory
from appkit_domain.principal import Principal


class InMemoryDirectory(Directory):
    def __init__(self, principals: Iterable[Principal] = ()) -> None:
        self.principals: dict[str, Principal] = {}
        self.lookups = 0
        for principal in principals:
            self.add(principal)

    def add(self, principal: Principal) -> Principal:
        self.principals[principal.id] = principal
        return principal

    def set_groups(self, principal_id: str, groups: Iterable[str]) -> Principal:
        """Replace the principal's groups (as an identity provider sync would)."""
        principal = self._by_id(principal_id).with_groups(frozenset(groups))
        self.principals[principal_id] = principal
        return principal

    def _by_id(self, principal_id: str) -> Principal:
        try:
            return self.principals[principal_id]
        except KeyError:
            raise NotFound(f"no principal {principal_id} in the directory") from None

    async def find(self, key: str) -> Principal:
        await asyncio.sleep(0)
        self.lookups += 1
        if key in self.principals:
            return self.principals[key]
        folded = key.casefold()
        for principal in self.principals.values():
            if principal.email.casefold() == folded:
                return principal
        raise NotFound(f"no principal {key} in the directory")

    async def groups_of(self, principal_id: str) -> frozenset[str]:
        await asyncio.sleep(0)
        self.lookups += 1
        return self._by_id(principal_id).groups
