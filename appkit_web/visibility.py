"""Object-level read checks: row images are shown only to callers who may read their table.

A change request (and the approval request binding it) carries row images of
a governed table. Every signed-in caller may follow its state, but showing
the rows to a caller without ``SELECT`` on that table would leak the table
through the governance API: for them the key, values and images are left
out. The check uses the same permission port as the write-back service.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from appkit_domain.approvals import ApprovalRequest
from appkit_domain.errors import InvalidInput
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
