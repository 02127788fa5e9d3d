"""Running one approval command on fresh state with a version-checked save (rule 9).

A command is a *step*: given the request as stored now, it returns the next
state (or raises the rule it breaks). :class:`VersionedCommands` loads,
runs the step, and saves with the version it read; when another command
saved first the store answers ``StaleVersion`` and the step runs again on
the new state, at most ``max_attempts`` times, then ``ConcurrentModification``.
Each saved change is recorded in the audit log before it is returned (rule 10).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.errors import ConcurrentModification
from appkit_domain.approvals.model import ApprovalRequest, ApprovalStatus
from appkit_domain.approvals.settlement import SettlementListeners
from appkit_domain.audit.log import AuditLog
from appkit_domain.errors import AppkitError, InvalidInput, StaleVersion
from appkit_domain.ports.approval_store import ApprovalStore
from appkit_domain.versioning import retry_stale


@dataclass
class Change:
    """The next state a step computed and how to audit it.

    An empty ``action`` saves without an audit event (used for the apply
    claim, which is not a state change). ``raise_after`` is raised once the
    change is saved and audited (an expired request is saved ``EXPIRED``,
    then the decision that found it fails).
    """

    request: ApprovalRequest
    action: str
    details: dict[str, Any] = field(default_factory=dict)
    raise_after: AppkitError | None = None


Step = Callable[[ApprovalRequest], Awaitable[Change]]


class VersionedCommands:
    """Load, step, version-checked save and audit of one approval request (rule 9, rule 10)."""

    def __init__(
        self,
        store: ApprovalStore,
        audit: AuditLog,
        *,
        max_attempts: int,
        listeners: SettlementListeners | None = None,
    ) -> None:
        if max_attempts < 1:
            raise InvalidInput("max_attempts must be at least 1")
        self.store = store
        self.audit = audit
        self.max_attempts = max_attempts
        self.listeners = listeners if listeners is not None else SettlementListeners(audit)

    async def run(
        self,
        approval_id: str,
        actor: Actor,
        request_id: str | None,
        step: Step,
        *,
        loaded: ApprovalRequest | None = None,
    ) -> ApprovalRequest:
        """Run ``step`` on fresh state, save it version-checked and audit it; retry if stale.

        ``loaded`` is the request exactly as this caller just read or saved
        it; the first attempt starts from it instead of reading the store
        again. The save is version-checked all the same: if anything saved
        in between, the save is stale and the step runs again on state read
        from the store.

        The audit event is appended only after the save succeeded and before
        the new state is returned; if the append fails its error reaches the
        caller (the saved state stands, and no success is reported).
        A request that settles here is then handed to the settlement
        listeners of its kind.
        """

        if loaded is not None and loaded.id != approval_id:
            raise InvalidInput(f"the loaded request {loaded.id} is not {approval_id}")
        first = loaded

        async def attempt() -> tuple[ApprovalRequest, Change, ApprovalRequest]:
            nonlocal first
            if first is not None:
                current, first = first, None
            else:
                current = await self.store.get(approval_id)
            change = await step(current)
            saved = replace(change.request, version=current.version + 1)
            await self.store.save(saved, expected_version=current.version)
            return current, change, saved

        try:
            current, change, saved = await retry_stale(attempt, self.max_attempts)
        except StaleVersion:
            raise ConcurrentModification(
                f"approval request {approval_id} kept changing; gave up after "
                f"{self.max_attempts} attempts",
                details={"approval_id": approval_id, "attempts": self.max_attempts},
            ) from None
        if change.action:
            await self.record(
                actor, change.action, saved, current.status, change.details, request_id
            )
        if saved.is_terminal and not current.is_terminal:
            await self.listeners.settled(saved)
        if change.raise_after is not None:
            raise change.raise_after
        return saved

    async def record(
        self,
        actor: Actor,
        action: str,
        request: ApprovalRequest,
        before: ApprovalStatus | None,
        details: Mapping[str, Any],
        request_id: str | None,
    ) -> None:
        """Append the audit event of one transition of ``request``."""
        await self.audit.append(
            actor=actor.id,
            on_behalf_of=actor.on_behalf_of_id,
            action=action,
            target=f"approval:{request.id}",
            request_id=request_id,
            details={
                "kind": request.kind,
                "target": request.target,
                "payload_hash": request.payload_hash,
                "from": before.value if before is not None else None,
                "to": request.status.value,
                "version": request.version,
                **details,
            },
        )
