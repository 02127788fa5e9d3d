"""Roles derived from groups by configuration, never hard-coded in the domain.

A :class:`RoleMap` is the configured table ``group -> roles`` (for example
``{"risk-approvers": {"approver"}}``). A principal's roles are the union of
the roles of its groups; a group the map does not name gives no role.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from appkit_domain.errors import InvalidInput
from appkit_domain.principal import Principal


class RoleMap:
    """Configuration: which roles each group confers."""

    def __init__(self, groups_to_roles: Mapping[str, Iterable[str]] | None = None) -> None:
        table: dict[str, frozenset[str]] = {}
        for group, roles in (groups_to_roles or {}).items():
            if not group or not group.strip():
                raise InvalidInput("a role map names groups with non-empty names")
            if isinstance(roles, str):
                raise InvalidInput(f"roles of group {group!r} must be a collection, not a string")
            role_set = frozenset(roles)
            if any(not role or not role.strip() for role in role_set):
                raise InvalidInput(f"group {group!r} maps to an empty role name")
            table[group] = role_set
        self._table: Mapping[str, frozenset[str]] = MappingProxyType(table)

    @property
    def table(self) -> Mapping[str, frozenset[str]]:
        """The configured ``group -> roles`` table (read-only)."""
        return self._table

    def roles_for_groups(self, groups: Iterable[str]) -> frozenset[str]:
        """The union of the roles conferred by ``groups``."""
        roles: set[str] = set()
        for group in groups:
            roles |= self._table.get(group, frozenset())
        return frozenset(roles)

    def roles_of(self, principal: Principal) -> frozenset[str]:
        """The roles conferred by the principal's groups as resolved on it."""
        return self.roles_for_groups(principal.groups)

    def groups_with_role(self, role: str) -> frozenset[str]:
        """Every group that confers ``role`` (used to address notifications)."""
        return frozenset(group for group, roles in self._table.items() if role in roles)

    def __repr__(self) -> str:
        return f"RoleMap({dict(self._table)!r})"
