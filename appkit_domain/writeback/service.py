"""Controlled write-back: propose a change to a governed row, approve it, apply it once.

The order of a proposal is fixed: the configuration check (no port call),
the requester's SELECT privilege, the column types, the before-image read,
the approval pre-check, the stored change (already naming the id reserved for
its approval request), then that request (so an approval never names a change
that is not stored yet). Apply writes only while the
row still equals its before-image, at most once per change id, as the app's
service principal; the maker and checkers go to the row's audit columns when
the table has them and always to the audit log.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from appkit_domain.approvals import (
    Actor,
    ApplierRegistry,
    ApplyContext,
    ApprovalRequest,
    ApprovalService,
    ApprovalStatus,
    CompanionEvent,
    thaw,
)
from appkit_domain.audit import AuditLog
from appkit_domain.audit.chain import normalize_json
from appkit_domain.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from appkit_domain.identifiers import TableName
from appkit_domain.pagination import Page
from appkit_domain.ports.change_store import ChangeStore
from appkit_domain.ports.clock import Clock
from appkit_domain.ports.governed_table import GovernedTable
from appkit_domain.ports.ids import IdGenerator
from appkit_domain.ports.permissions import PermissionChecker
from appkit_domain.principal import Principal
from appkit_domain.versioning import DEFAULT_ATTEMPTS, retry_stale
from appkit_domain.writeback.application import ChangeApplication
from appkit_domain.writeback.change import ChangeRequest, ChangeStatus
from appkit_domain.writeback.following import MIRRORED, ApprovalFollowing
from appkit_domain.writeback.proposal import Proposal, approval_payload
from appkit_domain.writeback.query import ChangeQuery
from appkit_domain.writeback.rules import WritebackRules
from appkit_domain.writeback.schema_check import coerce_change

WRITEBACK_KIND = "writeback_change"


def _actor(by: Principal | Actor) -> Actor:
    return by if isinstance(by, Actor) else Actor.of(by)


def _proposed(actor: Actor, change: ChangeRequest) -> CompanionEvent:
    """The ``writeback.propose`` audit event of ``change``, proposed by ``actor``."""
    return CompanionEvent(
        actor=actor.id,
        on_behalf_of=actor.on_behalf_of_id,
        action="writeback.propose",
        target=change.target,
        details={**change.summary(), "required_approvals": change.required_approvals},
    )


class WritebackService:
    """Change requests on governed tables, under :class:`WritebackRules`.

    ``service_principal`` is the identity the ``table`` port writes as; it
    is recorded as the executing identity of every apply. ``approvals`` is
    needed when any configured table requires approval; the service then
    registers its applier for kind ``writeback_change`` on it.
    """

    def __init__(
        self,
        rules: WritebackRules,
        table: GovernedTable,
        changes: ChangeStore,
        permissions: PermissionChecker,
        audit: AuditLog,
        clock: Clock,
        ids: IdGenerator,
        *,
        service_principal: Principal,
        approvals: ApprovalService | None = None,
        attempts: int = DEFAULT_ATTEMPTS,
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
        self.audit = audit
        self.clock = clock
        self.ids = ids
        self.service_principal = service_principal
        self.approvals = approvals
        self._attempts = attempts
        self._application = ChangeApplication(
            rules,
            table,
            changes,
            permissions,
            audit,
            clock,
            service_principal=service_principal,
            attempts=attempts,
        )
        self._following = ApprovalFollowing(
            changes,
            approvals,
            audit,
            clock,
            service_principal=service_principal,
            attempts=attempts,
        )
        if approvals is not None:
            self.register(approvals.appliers)
            approvals.on_settled(WRITEBACK_KIND, self.follow_approval)

    def register(self, appliers: ApplierRegistry) -> None:
        """Register :meth:`apply_approved` as the applier of ``writeback_change`` requests."""
        if WRITEBACK_KIND not in appliers:
            appliers.register(WRITEBACK_KIND, self.apply_approved)

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
    ) -> Proposal:
        """Propose setting ``values`` on the row of ``table`` at ``key``.

        ``InvalidInput`` (naming the table or column) for anything the rules
        or the column types refuse, before any port is called for rule
        breaches; ``PermissionDenied`` when the requester cannot SELECT the
        table; ``NotFound`` when no row has ``key``. A table that needs no
        approval is applied at once and the change comes back final. With
        approval, the change and the request come back as submitted (an
        approval given at once, before this returns, moves them on: read
        them again for their current state).
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
        row = await self.table.read_row(name, typed_key)
        if row is None:
            raise NotFound(
                f"no row of {name.full_name} has key {typed_key}",
                details={"table": name.full_name},
            )
        before = normalize_json(dict(row), "before")
        if all(before.get(c) == v for c, v in typed_values.items()):
            raise InvalidInput(f"the change to {name.full_name} would not change the row")
        now = self.clock.now()
        change = ChangeRequest(
            id=self.ids.new_id("chg-"),
            table=name,
            key=typed_key,
            values=typed_values,
            before=before,
            reason=reason,
            requested_by=actor.party_id,
            created_at=now,
            updated_at=now,
        )
        if rules.approval_required:
            approval, change = await self._submit(actor, change, request_id)
            return Proposal(change, approval)
        await self.changes.add(change)
        await _proposed(actor, change).append_to(self.audit, request_id=request_id)
        return Proposal(await self._apply_unbound(change, request_id), None)

    async def _submit(
        self, actor: Actor, change: ChangeRequest, request_id: str | None
    ) -> tuple[ApprovalRequest, ChangeRequest]:
        """Store ``change`` linked to a reserved approval id, then submit that request.

        The ``writeback.propose`` event goes with the submission's own
        (one audit write); both are durable before this returns.

        The change is stored before the request exists, so an approval given
        at once (even before ``submit`` returns) finds the change it applies;
        it already names the request (its id reserved beforehand) and its
        quorum, so no second write links them. Whatever would refuse the
        submission is checked before anything is stored. Should the
        submission still fail (the store cannot be reached), the stored
        change is withdrawn so that it is never applied.
        """
        assert self.approvals is not None  # checked at construction
        payload = approval_payload(change)
        required = await self.approvals.check_submission(
            actor, WRITEBACK_KIND, change.target, payload
        )
        approval_id = self.approvals.reserve_id()
        linked = dataclasses.replace(change, approval_id=approval_id, required_approvals=required)
        await self.changes.add(linked)
        try:
            approval = await self.approvals.submit(
                actor,
                WRITEBACK_KIND,
                change.target,
                payload,
                request_id=request_id,
                approval_id=approval_id,
                companions=[_proposed(actor, linked)],
            )
        except Exception:
            await self._following.withdraw_unsubmitted(change.id, approval_id)
            raise
        if approval.required_approvals == required:
            return approval, linked

        async def relink() -> ChangeRequest:
            # The policy answered differently at submission (it was replaced meanwhile):
            # the change records the quorum its request was given.
            fresh = await self.changes.get(change.id)
            if fresh.required_approvals == approval.required_approvals or fresh.status.is_final:
                return fresh
            updated = fresh.with_approval(
                approval.id, approval.required_approvals, fresh.updated_at
            )
            await self.changes.save(updated, expected_version=fresh.version)
            return updated

        return approval, await retry_stale(relink, self._attempts)

    # -- apply -----------------------------------------------------------------------

    async def apply_approved(
        self, request: ApprovalRequest, context: ApplyContext
    ) -> Mapping[str, Any]:
        """The applier of ``writeback_change`` approval requests.

        Applies exactly the approved payload: the stored change must match
        it field for field (and be linked to this request, or not linked yet). A conflict (the row moved or vanished) ends the
        change ``APPLY_FAILED`` and is raised as ``Conflict`` so the approval
        ends ``APPLY_FAILED`` too.
        """
        payload = thaw(request.payload)
        change_id = payload.get("change_id")
        if not isinstance(change_id, str):
            raise InvalidInput(f"approval request {request.id} names no change")
        if request.status is not ApprovalStatus.APPROVED:
            raise Conflict(f"approval request {request.id} is {request.status.value}, not APPROVED")
        stored = await self.changes.get(change_id)
        # A change not linked yet is one whose proposal is still linking it (the approval came
        # at once); the payload, which names the change id, says it is the approved one.
        linked = stored.approval_id in (request.id, None)
        if not linked or approval_payload(stored) != payload:
            raise Conflict(
                f"change {change_id} does not match what approval request {request.id} approved"
            )
        change = await self._application.apply_once(
            change_id, context.approvers, context.request_id, approval=request, loaded=stored
        )
        if change.status is ChangeStatus.APPLY_FAILED:
            raise Conflict(change.failure or f"change {change_id} could not be applied")
        return {"change_id": change.id, "status": change.status.value, "after": change.after}

    async def apply(self, change_id: str, *, request_id: str | None = None) -> ChangeRequest:
        """Apply (or retry applying) a change whose table needs no approval.

        A change bound to an approval request is applied only through that
        request (:meth:`apply_approved`); asking here is ``InvalidTransition``
        unless the change is already final, which is returned as it is.
        """
        return await self._apply_unbound(await self.changes.get(change_id), request_id)

    async def _apply_unbound(self, current: ChangeRequest, request_id: str | None) -> ChangeRequest:
        """:meth:`apply` of ``current``, the change as just read or stored (its save re-checks)."""
        change_id = current.id
        if current.status in (ChangeStatus.APPLIED, ChangeStatus.APPLY_FAILED):
            return current
        needs_approval = current.approval_id is not None
        if not needs_approval:
            try:
                needs_approval = self.rules.for_table(current.table).approval_required
            except InvalidInput:
                needs_approval = False  # no longer configured: the apply itself will fail
        if needs_approval:
            raise InvalidTransition(
                f"change {change_id} needs an approved approval request to be applied",
                details={"change_id": change_id, "approval_id": current.approval_id},
            )
        return await self._application.apply_once(change_id, (), request_id, loaded=current)

    # -- reading ---------------------------------------------------------------------

    async def get(self, change_id: str) -> ChangeRequest:
        """The change, its status brought in line with its approval request first.

        The change follows its approval request when that request settles
        (see :meth:`follow_approval`); reading is the fallback. A rejected,
        expired or withdrawn approval, an approval awaiting an explicit
        apply, or one whose apply failed before reaching the change is
        mirrored onto the change (saved and audited) when it is read.
        """
        return await self._following.mirror(change_id)

    async def follow_approval(self, request: ApprovalRequest) -> None:
        """The settlement listener of ``writeback_change`` requests: mirror the end on the change.

        Registered on the approval service at construction. Idempotent; a
        change that is already final, or not linked to ``request``, is left
        as it is. An ``APPLIED`` request mirrors nothing (its change was saved
        ``APPLIED`` by the apply itself, before the request settled), so the
        change is not read for it; any other end is mirrored from ``request``
        as it settled, without reading the request again.
        """
        if request.status not in MIRRORED:
            return
        change_id = thaw(request.payload).get("change_id")
        if isinstance(change_id, str):
            await self._following.mirror(change_id, settled=request)

    async def query(self, query: ChangeQuery) -> Page[ChangeRequest]:
        return await self.changes.query(query)
