"""In-memory Unity Catalog privileges: grants to principals or their groups.

``grants`` maps ``(grantee, table_full_name)`` to the privileges granted
(``"SELECT"``, ``"MODIFY"``, or ``"ALL PRIVILEGES"``); a grantee is a
principal id or a group name. ``checks`` records every question asked.
"""

from __future__ import annotations

import asyncio

from appkit_domain.identifiers import TableName
from appkit_domain.ports.permissions import PermissionChecker
from appkit_domain.principal import Principal


class InMemoryPermissions(PermissionChecker):
    def __init__(self) -> None:
        self.grants: dict[tuple[str, str], set[str]] = {}
        self.checks: list[tuple[str, str, str]] = []

    def grant(self, grantee: str, table: TableName | str, *privileges: str) -> None:
        name = table.full_name if isinstance(table, TableName) else table
        self.grants.setdefault((grantee, name), set()).update(p.upper() for p in privileges)

    def revoke(self, grantee: str, table: TableName | str, *privileges: str) -> None:
        name = table.full_name if isinstance(table, TableName) else table
        self.grants.get((grantee, name), set()).difference_update(p.upper() for p in privileges)

    async def _has(self, principal: Principal, table: TableName, privilege: str) -> bool:
        self.checks.append((principal.id, table.full_name, privilege))
        await asyncio.sleep(0)
        for grantee in (principal.id, *principal.groups):
            held = self.grants.get((grantee, table.full_name), set())
            if privilege in held or "ALL PRIVILEGES" in held:
                return True
        return False

    async def can_select(self, principal: Principal, table: TableName) -> bool:
        return await self._has(principal, table, "SELECT")

    async def can_modify(self, principal: Principal, table: TableName) -> bool:
        return await self._has(principal, table, "MODIFY")
