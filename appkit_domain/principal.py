"""Who acts: a principal with a stable id, never a display name."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from appkit_domain.errors import InvalidInput


class PrincipalKind(str, enum.Enum):
    USER = "user"
    SERVICE_PRINCIPAL = "service_principal"


@dataclass(frozen=True)
class Principal:
    """An authenticated identity.

    ``id`` is the identity provider's stable id and is what every governance
    rule compares; ``email`` and ``display_name`` are for people to read.
    ``groups`` are the groups resolved for this principal by the directory.
    """

    id: str
    email: str
    display_name: str = ""
    kind: PrincipalKind = PrincipalKind.USER
    groups: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.id or not self.id.strip():
            raise InvalidInput("a principal needs a non-empty id")
        if not isinstance(self.groups, frozenset):
            object.__setattr__(self, "groups", frozenset(self.groups))

    @property
    def is_service_principal(self) -> bool:
        return self.kind is PrincipalKind.SERVICE_PRINCIPAL

    def in_any(self, groups: frozenset[str] | set[str]) -> bool:
        return not self.groups.isdisjoint(groups)

    def with_groups(self, groups: frozenset[str] | set[str]) -> Principal:
        return Principal(self.id, self.email, self.display_name, self.kind, frozenset(groups))
