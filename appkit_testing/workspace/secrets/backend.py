"""Secret scopes, their secrets (bytes) and their ACLs; pure state with ``reset()``.

Access follows the scope ACLs: READ to read, WRITE to put/delete secrets,
MANAGE to change ACLs or delete the scope. The creator gets MANAGE (or the
``initial_manage_principal``, normally ``users``); admins bypass ACLs.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from appkit_testing.workspace.errors import (
    already_exists,
    invalid_parameter,
    permission_denied,
    resource_missing,
)
from appkit_testing.workspace.identity.backend import Identity

_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")
_LEVELS = {"READ": 1, "WRITE": 2, "MANAGE": 3}
MAX_SECRET_BYTES = 128 * 1024
MAX_SECRETS_PER_SCOPE = 1000


@dataclass
class Scope:
    name: str
    secrets: dict[str, tuple[bytes, int]] = field(default_factory=dict)
    acls: dict[str, str] = field(default_factory=dict)


def _check_name(kind: str, name: object) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise invalid_parameter(
            f"{kind} name must consist of alphanumeric characters, dashes, underscores, "
            f"and periods, and may not exceed 128 characters."
        )
    return name


class SecretsBackend:
    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._scopes: dict[str, Scope] = {}

    def _scope(self, name: str) -> Scope:
        scope = self._scopes.get(name)
        if scope is None:
            raise resource_missing(f"Scope {name} does not exist!")
        return scope

    def _require(self, scope: Scope, caller: Identity, level: str) -> None:
        if caller.is_admin:
            return
        holders = {caller.name, "users", *caller.all_groups}
        granted = max((_LEVELS.get(scope.acls.get(p, ""), 0) for p in holders), default=0)
        if granted < _LEVELS[level]:
            raise permission_denied(
                f"User {caller.name} does not have {level} permission on scope {scope.name}"
            )

    def create_scope(self, name: object, caller: Identity, manage_principal: str | None) -> None:
        scope_name = _check_name("Scope", name)
        with self._lock:
            if scope_name in self._scopes:
                raise already_exists(f"Scope {scope_name} already exists!")
            scope = Scope(scope_name)
            scope.acls[manage_principal or caller.name] = "MANAGE"
            self._scopes[scope_name] = scope

    def delete_scope(self, name: str, caller: Identity) -> None:
        with self._lock:
            self._require(self._scope(name), caller, "MANAGE")
            del self._scopes[name]

    def list_scopes(self) -> list[str]:
        with self._lock:
            return sorted(self._scopes)

    def put(self, scope_name: str, key: object, value: bytes, caller: Identity) -> None:
        secret_key = _check_name("Secret key", key)
        if len(value) > MAX_SECRET_BYTES:
            raise invalid_parameter("Secret value exceeds the maximum size of 128 KB.")
        with self._lock:
            scope = self._scope(scope_name)
            self._require(scope, caller, "WRITE")
            if secret_key not in scope.secrets and len(scope.secrets) >= MAX_SECRETS_PER_SCOPE:
                raise invalid_parameter(f"Scope {scope_name} holds the maximum of 1000 secrets.")
            scope.secrets[secret_key] = (value, int(self._clock() * 1000))

    def delete(self, scope_name: str, key: str, caller: Identity) -> None:
        with self._lock:
            scope = self._scope(scope_name)
            self._require(scope, caller, "WRITE")
            if key not in scope.secrets:
                raise resource_missing(f"Secret {key} does not exist in scope {scope_name}!")
            del scope.secrets[key]

    def keys(self, scope_name: str, caller: Identity) -> list[tuple[str, int]]:
        with self._lock:
            scope = self._scope(scope_name)
            self._require(scope, caller, "READ")
            return sorted((key, stamp) for key, (_value, stamp) in scope.secrets.items())

    def get(self, scope_name: str, key: str, caller: Identity) -> bytes:
        with self._lock:
            scope = self._scope(scope_name)
            self._require(scope, caller, "READ")
            if key not in scope.secrets:
                raise resource_missing(f"Failed to get secret {key} for scope {scope_name}.")
            return scope.secrets[key][0]

    def put_acl(self, scope_name: str, principal: str, permission: str, caller: Identity) -> None:
        if permission not in _LEVELS:
            raise invalid_parameter(f"Invalid permission {permission}; use READ, WRITE or MANAGE.")
        with self._lock:
            scope = self._scope(scope_name)
            self._require(scope, caller, "MANAGE")
            scope.acls[principal] = permission

    def delete_acl(self, scope_name: str, principal: str, caller: Identity) -> None:
        with self._lock:
            scope = self._scope(scope_name)
            self._require(scope, caller, "MANAGE")
            if principal not in scope.acls:
                raise resource_missing(f"ACL for {principal} does not exist in scope {scope_name}")
            del scope.acls[principal]

    def acls(self, scope_name: str, caller: Identity) -> list[tuple[str, str]]:
        with self._lock:
            scope = self._scope(scope_name)
            self._require(scope, caller, "MANAGE")
            return sorted(scope.acls.items())
