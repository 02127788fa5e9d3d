"""Controlled write-back: propose a change to a governed row, approve it, apply it once.

The order of a proposal is fixed: the configuration check (no port call),
the requester's SELECT privilege, the column types, then one step that reads
the before-image and commits the change with its approval request and both
audit events (so neither ever exists without the other). Apply writes only
while the row still equals its whole before-image, at most once per change
id, as the app's service principal, in the same commit as the change's and
the approval's new states (see :mod:`appkit_domain.writeback.row_change`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from appkit_domain.approvals import (
    Actor,
    ApplyContext,
    ApprovalRequest,
    ApprovalService,
    ApprovalStatus,
    Workflow,
    payload_hash,
    thaw,
)
from appkit_domain.audit.chain import normalize_json
from appkit_domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unavailable
from appkit_domain.identifiers import TableName
from appkit_domain.pagination import Page
from appkit_domain.ports.change_store import ChangeStore
from appkit_domain.ports.governed_table import GovernedTable
from appkit_domain.ports.permissions import PermissionChecker
from appkit_domain.ports.table_versions import TableVersions
from appkit_domain.principal import Principal
from appkit_domain.unit_of_work import UnitOfWork, UnitsOfWork
from appkit_domain.writeback.change import CHANGE_REQUESTS, ChangeRequest, ChangeStatus
from appkit_domain.writeback.proposal import Proposal, approval_payload
from appkit_domain.writeback.query import ChangeQuery
from appkit_domain.writeback.row_change import RowChanges, record_apply
from appkit_domain.writeback.rules import WritebackRules
from appkit_domain.writeback.schema_check import coerce_change
from appkit_domain.writeback.versions import Evidence, VersionLinks

WRITEBACK_KIND = "writeback_change"

MIRRORED = {
    ApprovalStatus.APPROVED: ChangeStatus.APPROVED,
    ApprovalStatus.REJECTED: ChangeStatus.REJECTED,
    ApprovalStatus.EXPIRED: ChangeStatus.EXPIRED,
    ApprovalStatus.WITHDRAWN: ChangeStatus.WITHDRAWN,
    ApprovalStatus.APPLY_FAILED: ChangeStatus.APPLY_FAILED,
}
"""The change status each approval status gives (``APPLIED`` comes from the apply itself)."""


def _actor(by: Principal | Actor) -> Actor:
    return by if isinstance(by, Actor) else Actor.of(by)


class WritebackService:
    """Change requests on governed tables, under :class:`WritebackRules`.

    ``units`` makes the units of work; ``changes`` answers the read-side
    queries. ``service_principal`` is the identity governed rows are written
    as; it is recorded as the executing identity of every apply.
    ``approvals`` is needed when any configured table requires approval; the
    service then registers the ``writeback_change`` workflow on it.
    ``versions`` (the governed tables' history) lets applied changes be linked
    to the table versions their writes produced (:mod:`.versions`).
    """

    def __init__(
        self,
        rules: WritebackRules,
        table: GovernedTable,
        changes: ChangeStore,
        permissions: PermissionChecker,
        units: UnitsOfWork,
        *,
        service_principal: Principal,
        approvals: ApprovalService | None = None,
        versions: TableVersions | None = None,
    ) -> None:
        needing = [t.full_name for t in rules.tables if rules.for_table(t).approval_required]
        if needing and approvals is None:
            raise InvalidInput(
                f"write-back to {needing[0]} requires approval but no approval service is given"
            )
        self.rules = rules
        self.table = table
        self.changes = changes
        self.permissions = permissions
        self.units = units
        self.clock = units.clock
        self.service_principal = service_principal
        self.approvals = approvals
        self._rows = RowChanges(rules, table, permissions, service_principal=service_principal)
        self.links = (
            None
            if versions is None
            else VersionLinks(changes, units, versions, service_principal=service_principal)
        )
        if approvals is not None:
            approvals.register(
                Workflow(WRITEBACK_KIND, apply=self.apply_approved, follow=self.follow_approval)
            )

    # -- propose ---------------------------------------------------------------------

    async def propose(
        self,
        by: Principal | Actor,
        table: TableName | str,
        key: Mapping[str, Any],
        values: Mapping[str, Any],
        reason: str,
        *,
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Proposal:
        """Propose setting ``values`` on the row of ``table`` at ``key``.

        ``InvalidInput`` (naming the table or column) for anything the rules
        or the column types refuse, before any port is called for rule
        breaches; ``PermissionDenied`` when the requester cannot SELECT the
        table; ``NotFound`` when no row has ``key``. The change and its
        approval request commit together. A table that needs no approval is
        applied in the same step and the change comes back final.
        """
        actor = _actor(by)
        name = table if isinstance(table, TableName) else TableName.parse(table)
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidInput("a change request needs a reason")
        rules = self.rules.check_request(name, key, values)
        name = rules.table
        if not await self.permissions.can_select(actor.party, name):
            raise PermissionDenied(
                f"{actor.party_id} may not read {name.full_name}",
                details={"table": name.full_name},
            )
        columns = await self.table.column_types(name)
        typed_key, typed_values = coerce_change(rules, columns, key, values)

        async def body(uow: UnitOfWork) -> Proposal:
            row = await self.table.read_row(name, typed_key)
            if row is None:
                raise NotFound(
                    f"no row of {name.full_name} has key {typed_key}",
                    details={"table": name.full_name},
                )
            before = normalize_json(dict(row), "before")
            if all(before.get(c) == v for c, v in typed_values.items()):
                raise InvalidInput(f"the change to {name.full_name} would not change the row")
            now = uow.clock.now()
            change = ChangeRequest(
                id=uow.ids.new_id("chg-"),
                table=name,
                key=typed_key,
                values=typed_values,
                before=before,
                reason=reason,
                requested_by=actor.party_id,
                created_at=now,
                updated_at=now,
            )
            approval: ApprovalRequest | None = None
            if rules.approval_required:
                assert self.approvals is not None  # checked at construction
                approval = await self.approvals.open_in(
                    uow,
                    actor,
                    WRITEBACK_KIND,
                    change.target,
                    approval_payload(change),
                    request_id=request_id,
                )
                change = dataclasses.replace(
                    change, approval_id=approval.id, required_approvals=approval.required_approvals
                )
            changes = uow.repo(CHANGE_REQUESTS)
            changes.add(change)
            uow.record(
                actor=actor.id,
                on_behalf_of=actor.on_behalf_of_id,
                action="writeback.propose",
                target=change.target,
                request_id=request_id,
                details={**change.summary(), "required_approvals": change.required_approvals},
            )
            if approval is None:
                change = await self._rows.stage(uow, change, (), request_id)
            return Proposal(change, approval)

        async def replay(outcome: Mapping[str, Any]) -> Proposal:
            change = await self.changes.get(str(outcome["change_id"]))
            approval_id = outcome.get("approval_id")
            approval = None
            if isinstance(approval_id, str) and self.approvals is not None:
                approval = await self.approvals.get(approval_id)
            return Proposal(change, approval)

        proposal = await self.units.run(
            "writeback.propose",
            body,
            outcome=lambda p: {"change_id": p.change.id, "approval_id": p.approval_id},
            principal=actor.party_id,
            idempotency_key=idempotency_key,
            request_hash=payload_hash(
                {
                    "table": name.full_name,
                    "key": typed_key,
                    "set": typed_values,
                    "reason": reason,
                }
            )
            if idempotency_key
            else None,
            replay=replay,
            subject=f"the row of {name.full_name}",
        )
        if proposal.approval is not None and self.approvals is not None:
            await self.approvals.announce(proposal.approval)
        return proposal

    # -- apply -----------------------------------------------------------------------

    async def apply_approved(
        self, uow: UnitOfWork, request: ApprovalRequest, context: ApplyContext
    ) -> Mapping[str, Any]:
        """The ``writeback_change`` action, in the step that approves or applies ``request``.

        Applies exactly the approved payload: the stored change must match it
        field for field and be linked to this request. A conflict (the row
        moved or vanished, the table is closed to write-back) is raised as
        ``Conflict``, so the approval ends ``APPLY_FAILED`` and the change
        follows it.
        """
        payload = thaw(request.payload)
        change_id = payload.get("change_id")
        if not isinstance(change_id, str):
            raise InvalidInput(f"approval request {request.id} names no change")
        stored = await uow.repo(CHANGE_REQUESTS).get(change_id)
        if stored.approval_id != request.id or approval_payload(stored) != payload:
            raise Conflict(
                f"change {change_id} does not match what approval request {request.id} approved"
            )
        if stored.status not in (ChangeStatus.PENDING, ChangeStatus.APPROVED):
            raise Conflict(f"change {change_id} is {stored.status.value} and cannot be applied")
        change = await self._rows.stage(uow, stored, context.approvers, context.request_id)
        if change.status is ChangeStatus.APPLY_FAILED:
            raise Conflict(change.failure or f"change {change_id} could not be applied")
        return {"change_id": change.id, "status": change.status.value, "after": change.after}

    async def follow_approval(self, uow: UnitOfWork, request: ApprovalRequest) -> None:
        """The follower of ``writeback_change`` requests: the change takes its request's status.

        Called in the step that moves the request. A change already final, or
        not linked to ``request``, is left as it is. An ``APPLY_FAILED``
        request fails its change with the same reason (audited
        ``writeback.apply_failed``); any other move is audited
        ``writeback.status``.
        """
        status = MIRRORED.get(request.status)
        change_id = thaw(request.payload).get("change_id")
        if status is None or not isinstance(change_id, str):
            return
        changes = uow.repo(CHANGE_REQUESTS)
        current = await changes.maybe(change_id)
        if current is None or current.status.is_final or current.approval_id != request.id:
            return
        if current.status is status:
            return
        now = uow.clock.now()
        if status is ChangeStatus.APPLY_FAILED:
            failed = changes.save(
                current.moved(
                    status,
                    now,
                    failure=request.failure,
                    approvers=request.approvers,
                    executed_by=self.service_principal.id,
                )
            )
            record_apply(uow, self.service_principal, failed, None)
            return
        updated = changes.save(current.moved(status, now, failure=request.failure))
        details: dict[str, Any] = {
            "from": current.status.value,
            "to": updated.status.value,
            "approval_id": request.id,
        }
        if updated.failure:
            details["failure"] = updated.failure
        uow.record(
            actor=self.service_principal.id,
            action="writeback.status",
            target=updated.target,
            details=details,
        )

    # -- reading ---------------------------------------------------------------------

    async def get(self, change_id: str) -> ChangeRequest:
        """The change as stored (it moves with its approval request, in the same steps)."""
        return await self.changes.get(change_id)

    async def query(self, query: ChangeQuery) -> Page[ChangeRequest]:
        return await self.changes.query(query)

    # -- table versions --------------------------------------------------------------

    def _links(self) -> VersionLinks:
        if self.links is None:
            raise Unavailable("this backend keeps no table versions")
        return self.links

    async def link_versions(
        self, change_id: str, *, request_id: str | None = None
    ) -> ChangeRequest:
        """Record (once) the table versions an applied change's write produced and replaced."""
        return await self._links().link(change_id, request_id=request_id)

    async def evidence(self, change_id: str, *, request_id: str | None = None) -> Evidence:
        """The row as the version before the change and the version it produced hold it."""
        return await self._links().evidence(change_id, request_id=request_id)

    async def link_pending(self) -> int:
        """Link applied changes that have no versions yet (a sweep); 0 without versions."""
        return 0 if self.links is None else await self.links.link_pending()
