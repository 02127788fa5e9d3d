"""Who exists in the emulated workspace and which token belongs to whom.

Pure state, guarded by a lock: principals (users and service principals with
groups), personal access tokens, OAuth clients and the access tokens the
token endpoint issues. ``reset()`` returns to the seed principals, keeping
their tokens so clients built before a reset stay valid.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from appkit_testing.workspace.errors import already_exists, invalid_parameter

PrincipalKind = Literal["user", "service_principal"]
ALL_USERS_GROUP = "account users"
ADMINS_GROUP = "admins"


@dataclass(frozen=True)
class Identity:
    """A principal of the workspace.

    ``name`` is what grants and statements name: the user name (an email) of
    a user, the application id of a service principal. Members of the
    ``admins`` group bypass Unity Catalog privilege checks.
    """

    id: str
    name: str
    display_name: str
    kind: PrincipalKind
    groups: frozenset[str] = field(default_factory=frozenset)
    client_secret: str | None = None

    @property
    def is_admin(self) -> bool:
        return ADMINS_GROUP in self.groups

    @property
    def all_groups(self) -> frozenset[str]:
        """Explicit groups plus the implicit ``account users`` group."""
        return self.groups | {ALL_USERS_GROUP}


@dataclass(frozen=True)
class PrincipalSpec:
    """How a principal is declared (control surface, config file, runner)."""

    name: str
    kind: PrincipalKind = "user"
    groups: tuple[str, ...] = ()
    display_name: str = ""
    token: str | None = None
    client_secret: str | None = None


class IdentityBackend:
    """Principals and tokens. ``clock`` returns epoch seconds (token expiry)."""

    ACCESS_TOKEN_SECONDS = 3600

    def __init__(
        self,
        seed: Iterable[PrincipalSpec] = (),
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._lock = threading.RLock()
        self._clock = clock
        self._seed = list(seed)
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._by_name: dict[str, Identity] = {}
            self._by_id: dict[str, Identity] = {}
            self._tokens: dict[str, tuple[str, float | None]] = {}
            self._groups: dict[str, str] = {}  # group id -> display name
            self._next_id = 1000000000000001
            for index, spec in enumerate(self._seed):
                token = self.add(spec)
                if spec.token is None:  # keep generated seed tokens stable across resets
                    self._seed[index] = PrincipalSpec(
                        spec.name,
                        spec.kind,
                        spec.groups,
                        spec.display_name,
                        token,
                        self._by_name[spec.name].client_secret,
                    )

    def add(self, spec: PrincipalSpec) -> str:
        """Create a principal and return its personal access token."""
        if not spec.name:
            raise invalid_parameter("a principal needs a name")
        if spec.kind not in ("user", "service_principal"):
            raise invalid_parameter(f"unknown principal kind {spec.kind!r}")
        with self._lock:
            if spec.name in self._by_name:
                raise already_exists(f"Principal {spec.name} already exists.")
            secret = spec.client_secret
            if spec.kind == "service_principal" and secret is None:
                secret = "dose" + secrets.token_hex(16)
            identity = Identity(
                id=str(self._next_id),
                name=spec.name,
                display_name=spec.display_name or spec.name,
                kind=spec.kind,
                groups=frozenset(spec.groups),
                client_secret=secret,
            )
            self._next_id += 1
            self._by_name[identity.name] = identity
            self._by_id[identity.id] = identity
            for group in identity.groups:
                self._register_group(group)
            token = spec.token or "dapi" + secrets.token_hex(16)
            self._tokens[token] = (identity.id, None)
            return token

    def issue_token(self, name: str) -> str:
        """A new personal access token for the existing principal ``name``."""
        with self._lock:
            identity = self._by_name.get(name)
            if identity is None:
                raise invalid_parameter(f"Principal {name} does not exist.")
            token = "dapi" + secrets.token_hex(16)
            self._tokens[token] = (identity.id, None)
            return token

    def by_token(self, token: str) -> Identity | None:
        """The principal a bearer token belongs to, or None if unknown or expired."""
        with self._lock:
            entry = self._tokens.get(token)
            if entry is None:
                return None
            principal_id, expires_at = entry
            if expires_at is not None and expires_at <= self._clock():
                del self._tokens[token]
                return None
            return self._by_id.get(principal_id)

    def by_name(self, name: str) -> Identity | None:
        with self._lock:
            return self._by_name.get(name)

    def by_id(self, principal_id: str) -> Identity | None:
        with self._lock:
            return self._by_id.get(principal_id)

    def all(self) -> list[Identity]:
        with self._lock:
            return sorted(self._by_id.values(), key=lambda identity: identity.id)

    def issue_access_token(self, client_id: str, client_secret: str) -> tuple[str, int] | None:
        """Client-credentials grant: a short-lived token, or None for bad credentials."""
        with self._lock:
            identity = self._by_name.get(client_id)
            if (
                identity is None
                or identity.client_secret is None
                or not secrets.compare_digest(identity.client_secret, client_secret)
            ):
                return None
            token = "eyJ" + secrets.token_urlsafe(32)
            self._tokens[token] = (identity.id, self._clock() + self.ACCESS_TOKEN_SECONDS)
            return token, self.ACCESS_TOKEN_SECONDS

    # -- groups (SCIM) ---------------------------------------------------------------------------

    def _register_group(self, name: str) -> str:
        for group_id, known in self._groups.items():
            if known == name:
                return group_id
        group_id = str(self._next_id)
        self._next_id += 1
        self._groups[group_id] = name
        return group_id

    def create_group(self, name: str) -> str:
        """A new (empty) group; its id."""
        if not name:
            raise invalid_parameter("a group needs a displayName")
        with self._lock:
            if name in self._groups.values():
                raise already_exists(f"Group with name {name} already exists.")
            return self._register_group(name)

    def groups(self) -> list[tuple[str, str]]:
        """(id, display name) of every group, by id."""
        with self._lock:
            return sorted(self._groups.items())

    def group_name(self, group_id: str) -> str | None:
        with self._lock:
            return self._groups.get(group_id)

    def group_id(self, name: str) -> str | None:
        with self._lock:
            return next((gid for gid, known in self._groups.items() if known == name), None)

    def members(self, name: str) -> list[Identity]:
        with self._lock:
            return sorted((p for p in self._by_id.values() if name in p.groups), key=lambda p: p.id)

    def _replace(self, identity: Identity, **changes: object) -> Identity:
        updated = dataclasses.replace(identity, **changes)  # type: ignore[arg-type]
        self._by_id[identity.id] = updated
        self._by_name[identity.name] = updated
        return updated

    def set_membership(self, principal_id: str, group: str, member: bool) -> None:
        """Add ``principal_id`` to (or remove it from) the group named ``group``."""
        with self._lock:
            identity = self._by_id.get(principal_id)
            if identity is None:
                raise invalid_parameter(
                    f"Member {principal_id} is not a user or service principal."
                )
            groups = set(identity.groups)
            (groups.add if member else groups.discard)(group)
            self._replace(identity, groups=frozenset(groups))

    def rename_group(self, group_id: str, name: str) -> None:
        with self._lock:
            old = self._groups[group_id]
            self._groups[group_id] = name
            for identity in list(self._by_id.values()):
                if old in identity.groups:
                    self._replace(identity, groups=(identity.groups - {old}) | {name})

    def delete_group(self, group_id: str) -> None:
        with self._lock:
            name = self._groups.pop(group_id)
            for identity in list(self._by_id.values()):
                if name in identity.groups:
                    self._replace(identity, groups=identity.groups - {name})

    def set_display_name(self, principal_id: str, display_name: str) -> None:
        with self._lock:
            self._replace(self._by_id[principal_id], display_name=display_name)

    def delete_principal(self, principal_id: str) -> None:
        with self._lock:
            identity = self._by_id.pop(principal_id)
            self._by_name.pop(identity.name, None)
            for token in [t for t, (pid, _) in self._tokens.items() if pid == principal_id]:
                del self._tokens[token]
