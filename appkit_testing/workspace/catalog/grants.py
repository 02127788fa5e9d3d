"""Unity Catalog privileges: direct grants, inheritance, ownership, checks.

Grants are held per securable (type + lower-case full name) and principal
(a user name, service principal application id or group). A privilege on a
catalog or schema is inherited by everything below it; ``ALL_PRIVILEGES``
implies every privilege; owners hold everything on what they own; members of
the ``admins`` group bypass every check.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from appkit_testing.workspace.errors import invalid_parameter
from appkit_testing.workspace.identity.backend import Identity

SECURABLE_TYPES = ("METASTORE", "CATALOG", "SCHEMA", "TABLE", "VOLUME", "FUNCTION")
PRIVILEGES = frozenset(
    {
        "ALL_PRIVILEGES",
        "SELECT",
        "MODIFY",
        "USE_CATALOG",
        "USE_SCHEMA",
        "CREATE_TABLE",
        "CREATE_SCHEMA",
        "CREATE_FUNCTION",
        "CREATE_VOLUME",
        "READ_VOLUME",
        "WRITE_VOLUME",
        "EXECUTE",
        "BROWSE",
        "MANAGE",
        "APPLY_TAG",
        "REFRESH",
        "READ_FILES",
        "WRITE_FILES",
        "CREATE_MATERIALIZED_VIEW",
        "CREATE_MODEL",
        "USAGE",
        "CREATE_CATALOG",
    }
)


@dataclass(frozen=True)
class Securable:
    """A Unity Catalog object: ``type`` upper case, ``name`` lower-case full name."""

    type: str
    name: str

    @classmethod
    def of(cls, securable_type: str, full_name: str) -> Securable:
        kind = securable_type.upper()
        if kind == "DATABASE":
            kind = "SCHEMA"
        if kind == "VIEW":
            kind = "TABLE"
        if kind not in SECURABLE_TYPES:
            raise invalid_parameter(f"Invalid securable type {securable_type}.")
        depth = {"METASTORE": None, "CATALOG": 1, "SCHEMA": 2}.get(kind, 3)
        if kind == "METASTORE":
            return cls(kind, "metastore")
        parts = full_name.split(".")
        if depth is not None and (len(parts) != depth or not all(parts)):
            raise invalid_parameter(f"Invalid {kind.lower()} name '{full_name}'.")
        return cls(kind, full_name.lower())

    def lineage(self) -> list[Securable]:
        """This securable, then its schema and catalog (innermost first)."""
        parts = self.name.split(".")
        out = [self]
        if self.type in ("TABLE", "VOLUME", "FUNCTION"):
            out.append(Securable("SCHEMA", ".".join(parts[:2])))
        if self.type in ("TABLE", "VOLUME", "FUNCTION", "SCHEMA"):
            out.append(Securable("CATALOG", parts[0]))
        return out

    @property
    def display_type(self) -> str:
        return self.type.capitalize()


def normalize_privilege(text: str) -> str:
    privilege = "_".join(text.upper().split())
    if privilege == "ALL":
        privilege = "ALL_PRIVILEGES"
    if privilege not in PRIVILEGES:
        raise invalid_parameter(f"Invalid privilege {text}.")
    return privilege


class GrantsBackend:
    """Grant and ownership state; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._grants: dict[Securable, dict[str, set[str]]] = {}
            self._owners: dict[Securable, str] = {}

    def change(
        self, securable: Securable, principal: str, add: Iterable[str], remove: Iterable[str]
    ) -> None:
        added = [normalize_privilege(p) for p in add]
        removed = [normalize_privilege(p) for p in remove]
        if not principal:
            raise invalid_parameter("A privilege change needs a principal.")
        with self._lock:
            held = self._grants.setdefault(securable, {}).setdefault(principal, set())
            held.update(added)
            held.difference_update(removed)
            if not held:
                del self._grants[securable][principal]

    def set_owner(self, securable: Securable, principal: str) -> None:
        with self._lock:
            self._owners[securable] = principal

    def owner(self, securable: Securable) -> str | None:
        with self._lock:
            return self._owners.get(securable)

    def forget(self, securable: Securable) -> None:
        """Drop grants and ownership of a deleted object."""
        with self._lock:
            self._grants.pop(securable, None)
            self._owners.pop(securable, None)

    def direct(
        self, securable: Securable, principal: str | None = None
    ) -> list[tuple[str, list[str]]]:
        with self._lock:
            held = self._grants.get(securable, {})
            return [
                (name, sorted(privileges))
                for name, privileges in sorted(held.items())
                if privileges and (principal is None or name == principal)
            ]

    def effective(
        self, securable: Securable, principal: str | None = None
    ) -> list[tuple[str, list[tuple[str, Securable | None]]]]:
        """Per grantee: each privilege with the ancestor it is inherited from (None if direct)."""
        found: dict[str, list[tuple[str, Securable | None]]] = {}
        with self._lock:
            for level in securable.lineage():
                for name, privileges in sorted(self._grants.get(level, {}).items()):
                    if principal is not None and name != principal:
                        continue
                    source = None if level == securable else level
                    found.setdefault(name, []).extend((p, source) for p in sorted(privileges))
        return sorted(found.items())

    def holds(self, identity: Identity, privilege: str, securable: Securable) -> bool:
        """Whether ``identity`` has ``privilege`` on ``securable`` (inherited, via groups, owned)."""
        if identity.is_admin:
            return True
        holders = {identity.name, *identity.all_groups}
        with self._lock:
            for level in securable.lineage():
                if self._owners.get(level) in holders:
                    return True
                for name, privileges in self._grants.get(level, {}).items():
                    if name in holders and (
                        privilege in privileges or "ALL_PRIVILEGES" in privileges
                    ):
                        return True
        return False

    def holds_any(self, identity: Identity, securable: Securable) -> bool:
        """Whether ``securable`` shows up for ``identity`` in Unity Catalog lists.

        It does when the caller owns it (or an ancestor), holds any privilege on it or on
        something inside it, or inherits from an ancestor a privilege that applies to
        objects of its type: ``USE CATALOG`` and ``USE SCHEMA`` reveal only the catalog
        or schema they are used on, never the tables inside them.
        """
        if identity.is_admin:
            return True
        holders = {identity.name, *identity.all_groups}
        prefix = securable.name + "."
        ancestors = securable.lineage()[1:]
        with self._lock:
            for level, granted in self._grants.items():
                held = {p for name, ps in granted.items() if name in holders for p in ps}
                if not held:
                    continue
                if level == securable or level.name.startswith(prefix):
                    return True
                if level in ancestors and held & _REVEALING.get(securable.type, frozenset()):
                    return True
            return any(
                (level in securable.lineage() or level.name.startswith(prefix)) and owner in holders
                for level, owner in self._owners.items()
            )


_EVERYWHERE = frozenset({"ALL_PRIVILEGES", "BROWSE", "MANAGE", "APPLY_TAG"})
_REVEALING = {
    "SCHEMA": _EVERYWHERE
    | {"USE_SCHEMA", "SELECT", "MODIFY", "CREATE_TABLE", "CREATE_FUNCTION", "CREATE_VOLUME"}
    | {"READ_VOLUME", "WRITE_VOLUME", "EXECUTE", "REFRESH", "CREATE_MATERIALIZED_VIEW"},
    "TABLE": _EVERYWHERE | {"SELECT", "MODIFY", "REFRESH"},
    "VOLUME": _EVERYWHERE | {"READ_VOLUME", "WRITE_VOLUME"},
    "FUNCTION": _EVERYWHERE | {"EXECUTE"},
}
"""Privileges that, granted on a container, make objects of each type inside it visible."""
