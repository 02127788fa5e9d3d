"""A directory given by configuration: the users and groups of dev mode and of the demo world."""

from __future__ import annotations

from collections.abc import Iterable

from appkit_domain.errors import InvalidInput, NotFound
from appkit_domain.ports.directory import Directory
from appkit_domain.principal import Principal


class ConfiguredDirectory(Directory):
    """Answers from a fixed list of principals; lookups by id or email are case-insensitive."""

    def __init__(self, principals: Iterable[Principal]) -> None:
        self._by_key: dict[str, Principal] = {}
        self._by_id: dict[str, Principal] = {}
        for principal in principals:
            for key in {principal.id.lower(), principal.email.lower()}:
                if key in self._by_key:
                    raise InvalidInput(f"the directory names {key!r} twice")
                self._by_key[key] = principal
            self._by_id[principal.id] = principal

    @property
    def principals(self) -> list[Principal]:
        return list(self._by_id.values())

    async def find(self, key: str) -> Principal:
        principal = self._by_key.get(key.strip().lower())
        if principal is None:
            raise NotFound(f"the directory does not know {key!r}")
        return principal

    async def groups_of(self, principal_id: str) -> frozenset[str]:
        principal = self._by_id.get(principal_id)
        if principal is None:
            raise NotFound(f"the directory does not know principal {principal_id!r}")
        return principal.groups
