"""Which Unity Catalog privileges a statement needs, and the error when one is missing.

Reading a table needs ``SELECT``; writing needs ``MODIFY``; creating a table
needs ``CREATE_TABLE`` on its schema; each also needs ``USE_CATALOG`` and
``USE_SCHEMA`` on the containing catalog and schema, as on the real service.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from appkit_testing.workspace.catalog.grants import GrantsBackend, Securable
from appkit_testing.workspace.engine import StatementInfoLike
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


_CATALOG_DDL = re.compile(r"^\s*(CREATE|DROP)\s+CATALOG\b", re.IGNORECASE)


def check_statement(
    grants: GrantsBackend,
    identity: Identity,
    statement: str,
    info: StatementInfoLike,
    table_exists: Callable[[str], bool],
) -> None:
    """Check every object a statement reads, writes, creates or drops.

    Tables that do not exist are left to the engine, which reports them as
    ``TABLE_OR_VIEW_NOT_FOUND``. Creating a catalog needs ``CREATE_CATALOG`` on
    the metastore; schema DDL needs ``CREATE_SCHEMA`` on the catalog (create) or
    ``MANAGE`` on the schema (drop); dropping or altering a table needs ``MANAGE``
    (owners hold it).
    """
    if identity.is_admin:
        return
    kind = str(info.kind).upper()
    if _CATALOG_DDL.match(statement):
        require(grants, identity, "CREATE_CATALOG", Securable("METASTORE", "metastore"))
    for name in sorted(getattr(info, "schemas", frozenset())):
        if kind == "CREATE":
            require(grants, identity, "CREATE_SCHEMA", Securable("CATALOG", name.split(".")[0]))
        elif kind in ("DROP", "ALTER"):
            require(grants, identity, "MANAGE", Securable("SCHEMA", name))
    for name in sorted(info.reads):
        if len(name.split(".")) == 3 and table_exists(name):
            require(grants, identity, "SELECT", Securable("TABLE", name))
    for name in sorted(info.writes):
        if len(name.split(".")) != 3:
            continue
        if not table_exists(name):
            require(grants, identity, "CREATE_TABLE", Securable("SCHEMA", name.rsplit(".", 1)[0]))
        elif kind in ("DROP", "ALTER") or (kind == "CREATE" and "REPLACE" in statement.upper()):
            require(grants, identity, "MANAGE", Securable("TABLE", name))
        else:
            require(grants, identity, "MODIFY", Securable("TABLE", name))
