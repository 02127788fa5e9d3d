"""Which Unity Catalog privileges a statement needs, and the error when one is missing.

Reading a table needs ``SELECT``; writing needs ``MODIFY``; creating a table
needs ``CREATE_TABLE`` on its schema; each also needs ``USE_CATALOG`` and
``USE_SCHEMA`` on the containing catalog and schema, as on the real service.
"""

from __future__ import annotations

from collections.abc import Callable

from appkit_testing.workspace.catalog.grants import GrantsBackend, Securable
from appkit_testing.workspace.identity.backend import Identity

INSUFFICIENT = "INSUFFICIENT_PERMISSIONS"
SQL_STATE = "42501"


class InsufficientPrivileges(Exception):
    """The caller lacks one privilege; ``message`` is the real service's wording."""

    def __init__(self, privilege: str, securable: Securable) -> None:
        self.message = (
            f"[{INSUFFICIENT}] Insufficient privileges:\n"
            f"User does not have {privilege.replace('_', ' ')} on "
            f"{securable.display_type} '{securable.name}'. SQLSTATE: {SQL_STATE}"
        )
        super().__init__(self.message)


def require(
    grants: GrantsBackend, identity: Identity, privilege: str, securable: Securable
) -> None:
    """Raise :class:`InsufficientPrivileges` unless ``identity`` may use ``securable`` this way."""
    lineage = securable.lineage()
    for level in reversed(lineage[1:]):
        needed = "USE_CATALOG" if level.type == "CATALOG" else "USE_SCHEMA"
        if not grants.holds(identity, needed, level):
            raise InsufficientPrivileges(needed, level)
    if not grants.holds(identity, privilege, securable):
        raise InsufficientPrivileges(privilege, securable)


def check_statement(
    grants: GrantsBackend,
    identity: Identity,
    reads: frozenset[str],
    writes: frozenset[str],
    table_exists: Callable[[str], bool],
) -> None:
    """Check every table a statement reads or writes; tables that do not exist are left to
    the engine, which reports them as ``TABLE_OR_VIEW_NOT_FOUND``."""
    if identity.is_admin:
        return
    for name in sorted(reads):
        if len(name.split(".")) == 3 and table_exists(name):
            require(grants, identity, "SELECT", Securable("TABLE", name))
    for name in sorted(writes):
        if len(name.split(".")) != 3:
            continue
        if table_exists(name):
            require(grants, identity, "MODIFY", Securable("TABLE", name))
        else:
            schema = Securable("SCHEMA", name.rsplit(".", 1)[0])
            require(grants, identity, "CREATE_TABLE", schema)
