"""Object-level read checks: write-back data is shown only to callers who may read its table.

A change request (and the approval request binding it) carries row images of
a governed table. Showing them to a caller without ``SELECT`` on that table
would leak the table through the governance API, so reads of such objects
are checked against the same permission port the write-back service uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from appkit_domain.approvals import ApprovalRequest
from appkit_domain.errors import InvalidInput, PermissionDenied
from appkit_domain.identifiers import TableName
from appkit_domain.ports.permissions import PermissionChecker
from appkit_domain.principal import Principal
from appkit_domain.writeback.service import WRITEBACK_KIND


def table_of(request: ApprovalRequest) -> TableName | None:
    """The governed table whose rows an approval request's payload shows, if any."""
    if request.kind != WRITEBACK_KIND:
        return None
    payload: Mapping[str, Any] = request.payload
    try:
        return TableName.parse(str(payload.get("table", "")))
    except InvalidInput:
        return None


async def may_read_table(
    permissions: PermissionChecker, principal: Principal, table: TableName | None
) -> bool:
    return table is None or await permissions.can_select(principal, table)


async def require_table_read(
    permissions: PermissionChecker, principal: Principal, table: TableName | None
) -> None:
    """``PermissionDenied`` unless ``principal`` may read ``table`` (no table: allowed)."""
    if not await may_read_table(permissions, principal, table):
        assert table is not None
        raise PermissionDenied(
            f"{principal.id} may not read {table.full_name}, whose rows this object shows",
            details={"table": table.full_name},
        )
