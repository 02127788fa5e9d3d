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


class DevDirectory(ConfiguredDirectory):
    """The people dev identity accepts, each with the workspace token they act with, if any.

    Start-up may add people (the developer themself, on a real workspace) and
    tokens (the demo users registered in the emulated workspace), so reads on
    behalf of a dev user run as that user on the databricks backend too.
    Tokens are never shown: :meth:`token_of` is for the identity resolver only.
    """

    def __init__(self, principals: Iterable[Principal]) -> None:
        super().__init__(principals)
        self._tokens: dict[str, str] = {}
        self._notes: dict[str, str] = {}

    def add(self, principal: Principal, *, note: str = "") -> None:
        """Add ``principal`` (its id and email must be new); ``note`` labels it for people."""
        keys = {principal.id.lower(), principal.email.lower()}
        taken = keys & set(self._by_key)
        if taken:
            raise InvalidInput(f"the directory names {sorted(taken)[0]!r} twice")
        for key in keys:
            self._by_key[key] = principal
        self._by_id[principal.id] = principal
        if note:
            self._notes[principal.id] = note

    def give_token(self, principal_id: str, token: str) -> None:
        if principal_id not in self._by_id:
            raise NotFound(f"the directory does not know principal {principal_id!r}")
        self._tokens[principal_id] = token

    def token_of(self, principal_id: str) -> str | None:
        return self._tokens.get(principal_id)

    def note_of(self, principal_id: str) -> str:
        """How the person is labelled (e.g. "you, with your own token"), or ``""``."""
        return self._notes.get(principal_id, "")

    def has_token(self, principal_id: str) -> bool:
        return principal_id in self._tokens
