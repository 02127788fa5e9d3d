"""A user's warehouse on the local engine that enforces table privileges.

On Databricks a user's statements run with their own token, so Unity Catalog
refuses a table they may not read. The local engine has no grant model: this
wrapper asks the configured :class:`PermissionChecker` before running, for
every table the statement reads (SELECT) or writes (MODIFY), and refuses the
way a warehouse does (``[INSUFFICIENT_PERMISSIONS]``).
"""

from __future__ import annotations

import asyncio

from appkit_adapters.local.engine import LocalEngine
from appkit_adapters.sql.warehouse import Parameters, SqlWarehouse, StatementResult
from appkit_domain.errors import PermissionDenied
from appkit_domain.identifiers import TableName
from appkit_domain.ports.permissions import PermissionChecker
from appkit_domain.principal import Principal


class GrantCheckedWarehouse(SqlWarehouse):
    def __init__(
        self, engine: LocalEngine, principal: Principal, permissions: PermissionChecker
    ) -> None:
        self._engine = engine
        self._principal = principal
        self._permissions = permissions
        self._inner = engine.warehouse(principal.id)

    async def execute(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        row_limit: int | None = None,
        idempotent: bool = False,
    ) -> StatementResult:
        info = await asyncio.to_thread(self._engine.analyze, statement)
        checks = [(name, "SELECT", self._permissions.can_select) for name in sorted(info.reads)]
        checks += [(name, "MODIFY", self._permissions.can_modify) for name in sorted(info.writes)]
        for name, privilege, allowed in checks:
            if not await allowed(self._principal, TableName.parse(name)):
                raise PermissionDenied(
                    f"[INSUFFICIENT_PERMISSIONS] User does not have {privilege} on table {name}.",
                    details={"error_class": "INSUFFICIENT_PERMISSIONS", "table": name},
                )
        return await self._inner.execute(
            statement, parameters, row_limit=row_limit, idempotent=idempotent
        )
