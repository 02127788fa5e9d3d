"""Applying a stored change request to its governed table, once.

The write runs as the app's service principal through the
:class:`~appkit_domain.ports.governed_table.GovernedTable` port, only while
the row still equals the change's before-image, and at most once per change
id. The row's audit columns get the maker, the checkers and the time when the
table has them; the audit log always records maker, checkers and the
executing identity.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from appkit_domain.approvals.model import ApprovalRequest
from appkit_domain.audit import AuditLog
from appkit_domain.errors import InvalidInput, InvalidTransition
from appkit_domain.ports.change_store import ChangeStore
from appkit_domain.ports.clock import Clock
from appkit_domain.ports.governed_table import ApplyOutcome, ApplyStatus, GovernedTable
from appkit_domain.ports.permissions import PermissionChecker
from appkit_domain.principal import Principal
from appkit_domain.versioning import DEFAULT_ATTEMPTS, retry_stale
from appkit_domain.writeback.change import ChangeRequest, ChangeStatus
from appkit_domain.writeback.rules import AuditColumns, WritebackRules


class ChangeApplication:
    """Applies change requests; callers decide beforehand whether a change may be applied."""

    def __init__(
        self,
        rules: WritebackRules,
        table: GovernedTable,
        changes: ChangeStore,
        permissions: PermissionChecker,
        audit: AuditLog,
        clock: Clock,
        *,
        service_principal: Principal,
        attempts: int = DEFAULT_ATTEMPTS,
    ) -> None:
        self.rules = rules
        self.table = table
        self.changes = changes
        self.permissions = permissions
        self.audit = audit
        self.clock = clock
        self.service_principal = service_principal
        self._attempts = attempts

    async def apply_once(
        self,
        change_id: str,
        approvers: tuple[str, ...],
        request_id: str | None,
        *,
        approval: ApprovalRequest | None = None,
        loaded: ChangeRequest | None = None,
    ) -> ChangeRequest:
        """Write the change once and record ``APPLIED`` or ``APPLY_FAILED``.

        A change already final is returned as it is; one in any state other
        than ``PENDING``/``APPROVED`` is ``InvalidTransition`` and nothing is
        written. Concurrent calls write once: the table port records the
        outcome per change id, and a caller whose save went stale re-reads
        the change and finds it final. ``approval`` is the approved request
        being applied; a change not yet linked to it is linked as it is applied.
        ``loaded`` is the change exactly as the caller just read it: the first
        attempt starts from it instead of reading it again (its save is
        version-checked all the same, and a stale save re-reads).
        """
        if loaded is not None and loaded.id != change_id:
            raise InvalidInput(f"the loaded change {loaded.id} is not {change_id}")
        first = loaded

        async def command() -> ChangeRequest:
            nonlocal first
            if first is not None:
                current, first = first, None
            else:
                current = await self.changes.get(change_id)
            if current.status in (ChangeStatus.APPLIED, ChangeStatus.APPLY_FAILED):
                return current
            if current.status not in (ChangeStatus.PENDING, ChangeStatus.APPROVED):
                raise InvalidTransition(
                    f"change {change_id} is {current.status.value} and cannot be applied",
                    details={"change_id": change_id, "status": current.status.value},
                )
            now = self.clock.now()
            if approval is not None and current.approval_id is None:
                current = dataclasses.replace(
                    current,
                    approval_id=approval.id,
                    required_approvals=approval.required_approvals,
                )
            outcome = await self._write(current, approvers, now)
            common = {"approvers": approvers, "executed_by": self.service_principal.id}
            if outcome.applied:
                updated = current.moved(ChangeStatus.APPLIED, now, applied_at=now, **common)
            else:
                updated = current.moved(
                    ChangeStatus.APPLY_FAILED, now, failure=outcome.reason, **common
                )
            await self.changes.save(updated, expected_version=current.version)
            await self._audit_apply(updated, outcome, request_id)
            return updated

        return await retry_stale(command, self._attempts)

    async def _write(
        self, change: ChangeRequest, approvers: tuple[str, ...], now: datetime
    ) -> ApplyOutcome:
        try:
            rules = self.rules.for_table(change.table)
        except InvalidInput:
            return ApplyOutcome(
                change.id,
                ApplyStatus.CONFLICT,
                f"{change.table.full_name} is no longer open to write-back",
            )
        if not await self.permissions.can_modify(self.service_principal, change.table):
            return ApplyOutcome(
                change.id,
                ApplyStatus.CONFLICT,
                f"the app's service principal may not modify {change.table.full_name}",
            )
        columns = await self.table.column_types(change.table)
        audit_values = _audit_values(rules.audit_columns, columns, change, approvers, now)
        return await self.table.apply_change(
            change.id, change.table, change.key, change.before, change.values, audit_values
        )

    async def _audit_apply(
        self, change: ChangeRequest, outcome: ApplyOutcome, request_id: str | None
    ) -> None:
        applied = change.status is ChangeStatus.APPLIED
        await self.audit.append(
            actor=self.service_principal.id,
            on_behalf_of=change.requested_by,
            action="writeback.apply" if applied else "writeback.apply_failed",
            target=change.target,
            request_id=request_id,
            details={
                **change.summary(),
                "maker": change.requested_by,
                "checkers": list(change.approvers),
                "executed_as": self.service_principal.id,
                "replayed": outcome.replayed,
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
