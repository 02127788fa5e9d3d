"""Applying a stored change request to its governed row, inside the step that applies it.

The row write is staged in the step's unit of work as a
:class:`~appkit_domain.unit_of_work.RowWrite` guarded by the change's whole
before-image (every column, the audit columns included): the store commits
it only while the row still equals that image, together with the change's
``APPLIED`` state, the ledger entry and the audit event. A change is
``APPLIED`` only if its own write landed. A row moved by anyone else (even to
the very values the change sets) fails the commit, and the step, run again on
fresh state, reads the row and records the conflict: ``APPLY_FAILED`` with
the columns that moved, nothing written.

The write runs as the app's service principal; the row's audit columns get
the maker, the checkers, the time, the approval and the change when the table
has them; the audit log always records maker, checkers and the executing
identity.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from appkit_domain.audit.chain import normalize_json
from appkit_domain.errors import InvalidInput
from appkit_domain.ports.governed_table import GovernedTable
from appkit_domain.ports.permissions import PermissionChecker
from appkit_domain.principal import Principal
from appkit_domain.unit_of_work import RowWrite, UnitOfWork
from appkit_domain.writeback.change import CHANGE_REQUESTS, ChangeRequest, ChangeStatus
from appkit_domain.writeback.rules import AuditColumns, WritebackRules


class RowChanges:
    """Stages the application of change requests (callers decide that one may apply)."""

    def __init__(
        self,
        rules: WritebackRules,
        table: GovernedTable,
        permissions: PermissionChecker,
        *,
        service_principal: Principal,
    ) -> None:
        self.rules = rules
        self.table = table
        self.permissions = permissions
        self.service_principal = service_principal

    async def stage(
        self,
        uow: UnitOfWork,
        change: ChangeRequest,
        approvers: tuple[str, ...],
        request_id: str | None,
    ) -> ChangeRequest:
        """Stage ``change`` ``APPLIED`` with its row write, or ``APPLY_FAILED`` saying why.

        ``change`` is ``PENDING`` or ``APPROVED`` as this unit loaded it.
        """
        now = uow.clock.now()
        failure, audit_columns = await self._refusal(change)
        if failure is None and uow.fresh:
            # The last commit of this step was refused: see whether the row moved.
            failure = moved(change, await self.table.read_row(change.table, change.key))
        common: dict[str, Any] = {
            "approvers": approvers,
            "executed_by": self.service_principal.id,
        }
        if failure is None:
            assert audit_columns is not None
            columns = await self.table.column_types(change.table)
            audit_values = _audit_values(audit_columns, columns, change, approvers, now)
            stamp = tuple(
                c
                for c in (
                    audit_columns.change_id,
                    audit_columns.approval_id,
                    audit_columns.updated_at,
                )
                if c is not None and c in audit_values
            )
            uow.write_row(
                RowWrite(
                    change.id,
                    change.table,
                    change.key,
                    change.before,
                    {**change.values, **audit_values},
                    stamp,
                )
            )
            updated = change.moved(ChangeStatus.APPLIED, now, applied_at=now, **common)
        else:
            updated = change.moved(ChangeStatus.APPLY_FAILED, now, failure=failure, **common)
        saved = uow.repo(CHANGE_REQUESTS).save(updated)
        record_apply(uow, self.service_principal, saved, request_id)
        return saved

    async def _refusal(self, change: ChangeRequest) -> tuple[str | None, AuditColumns | None]:
        try:
            rules = self.rules.for_table(change.table)
        except InvalidInput:
            return f"{change.table.full_name} is no longer open to write-back", None
        if not await self.permissions.can_modify(self.service_principal, change.table):
            return (
                f"the app's service principal may not modify {change.table.full_name}",
                None,
            )
        return None, rules.audit_columns


def moved(change: ChangeRequest, row: Mapping[str, Any] | None) -> str | None:
    """Why ``row`` (as read now) no longer takes ``change``: gone, or which columns moved."""
    if row is None:
        return f"the row of {change.table.full_name} no longer exists"
    current = {c.lower(): v for c, v in normalize_json(dict(row), "row").items()}
    columns = sorted(
        c for c, v in change.before.items() if current.get(c.lower()) != normalize_json(v, c)
    )
    if columns:
        return f"the row changed since the change was proposed (columns: {', '.join(columns)})"
    return None


def record_apply(
    uow: UnitOfWork, service_principal: Principal, change: ChangeRequest, request_id: str | None
) -> None:
    """The ``writeback.apply`` (or ``writeback.apply_failed``) audit event of ``change``."""
    applied = change.status is ChangeStatus.APPLIED
    uow.record(
        actor=service_principal.id,
        on_behalf_of=change.requested_by,
        action="writeback.apply" if applied else "writeback.apply_failed",
        target=change.target,
        request_id=request_id,
        details={
            **change.summary(),
            "maker": change.requested_by,
            "checkers": list(change.approvers),
            "executed_as": service_principal.id,
            "step": uow.step_id,
        },
    )


def _audit_values(
    names: AuditColumns,
    columns: Mapping[str, str],
    change: ChangeRequest,
    approvers: tuple[str, ...],
    now: datetime,
) -> dict[str, Any]:
    candidates: dict[str | None, Any] = {
        names.updated_by: change.requested_by,
        names.updated_at: now,
        names.approved_by: ",".join(approvers) if approvers else None,
        names.approval_id: change.approval_id,
        names.change_id: change.id,
    }
    lowered = {c.lower() for c in columns}
    return {
        name: value
        for name, value in candidates.items()
        if name is not None and name.lower() in lowered and value is not None
    }
