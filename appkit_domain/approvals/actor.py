"""The acting identity of a command: who executes it and on whose behalf.

A user acting in person is ``Actor(user)``. The app's service principal
acting for a user is ``Actor(service_principal, on_behalf_of=user)``: the
accountable party is then the user, and every governance rule about "the
requester" or "the same principal" compares accountable parties, so a
service principal acting for the requester is the requester.
"""

from __future__ import annotations

from dataclasses import dataclass

from appkit_domain.errors import InvalidInput
from appkit_domain.principal import Principal


@dataclass(frozen=True)
class Actor:
    """``principal`` executes the command; ``on_behalf_of`` (if any) is accountable for it."""

    principal: Principal
    on_behalf_of: Principal | None = None

    def __post_init__(self) -> None:
        if self.on_behalf_of is not None and self.on_behalf_of.id == self.principal.id:
            raise InvalidInput("a principal cannot act on behalf of itself")

    @property
    def id(self) -> str:
        """The id of the executing principal (the audit ``actor``)."""
        return self.principal.id

    @property
    def on_behalf_of_id(self) -> str | None:
        """The id of the accountable principal when it differs (the audit ``on_behalf_of``)."""
        return self.on_behalf_of.id if self.on_behalf_of is not None else None

    @property
    def party(self) -> Principal:
        """The accountable principal: ``on_behalf_of`` when set, else ``principal``."""
        return self.on_behalf_of if self.on_behalf_of is not None else self.principal

    @property
    def party_id(self) -> str:
        return self.party.id

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        """A principal acting in person."""
        return cls(principal)
