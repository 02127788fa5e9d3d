"""The approval service: maker-checker commands over the approval store.

Every command loads the request, applies the rules on that fresh state and
saves the result with a version check. When another command won the race the
store answers ``StaleVersion`` and the whole command runs again on the new
state, at most ``max_attempts`` times (rule 9). Each saved state change is
then recorded in the audit log before the command returns (rule 10).

An approved request whose kind has an applier is applied at most once: the
command that approves (auto-apply) or calls :meth:`ApprovalService.apply`
first claims the action with a version-checked write, and only the claimer
runs the applier.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Mapping, Sequence
from typing import Any

from appkit_domain.approvals import steps
from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.appliers import ApplierRegistry
from appkit_domain.approvals.applying import run_claimed_action
from appkit_domain.approvals.companion import CompanionEvent
from appkit_domain.approvals.eligibility import EligibilityCheck
from appkit_domain.approvals.model import ApprovalRequest, ApprovalStatus, Verdict
from appkit_domain.approvals.notices import ApprovalNotices
from appkit_domain.approvals.payload import freeze_payload
from appkit_domain.approvals.policy import PolicyRegistry
from appkit_domain.approvals.queries import ApprovalQueries
from appkit_domain.approvals.settlement import SettlementListener, SettlementListeners
from appkit_domain.approvals.versioned import Change, VersionedCommands
from appkit_domain.audit.log import AuditLog
from appkit_domain.errors import InvalidInput, InvalidTransition
from appkit_domain.ports.approval_store import ApprovalStore
from appkit_domain.ports.clock import Clock
from appkit_domain.ports.directory import Directory
from appkit_domain.ports.ids import IdGenerator
from appkit_domain.ports.notifier import Notifier
from appkit_domain.roles import RoleMap
from appkit_domain.versioning import DEFAULT_ATTEMPTS

DEFAULT_MAX_ATTEMPTS = DEFAULT_ATTEMPTS


class ApprovalService(ApprovalQueries):
    """Submit, decide, withdraw, expire and apply approval requests.

    ``policies`` gives the :class:`MakerCheckerPolicy` of each kind;
    ``appliers`` the action run on approval. Groups are resolved through
    ``directory`` at each command when one is given (eligibility evaluated at
    decision time); otherwise the groups on the principal are used. Roles
    come from ``roles``.
    """

    def __init__(
        self,
        store: ApprovalStore,
        audit: AuditLog,
        clock: Clock,
        ids: IdGenerator,
        *,
        policies: PolicyRegistry,
        appliers: ApplierRegistry | None = None,
        roles: RoleMap | None = None,
        directory: Directory | None = None,
        notifier: Notifier | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> None:
        self.store = store
        self.audit = audit
        self.policies = policies
        self.appliers = appliers if appliers is not None else ApplierRegistry()
        self.roles = roles if roles is not None else RoleMap()
        self._clock = clock
        self._ids = ids
        self._settlement = SettlementListeners(audit)
        self._commands = VersionedCommands(
            store, audit, max_attempts=max_attempts, listeners=self._settlement
        )
        self._eligibility = EligibilityCheck(self.roles, directory)
        self._notices = ApprovalNotices(notifier, audit, self.roles)

    def on_settled(self, kind: str, listener: SettlementListener) -> None:
        """Await ``listener(request)`` each time a request of ``kind`` settles.

        Settling is reaching ``REJECTED``, ``EXPIRED``, ``WITHDRAWN``,
        ``APPLIED`` or ``APPLY_FAILED``; the listener runs after that state is
        saved and audited, before the command returns. See
        :mod:`appkit_domain.approvals.settlement` for failure handling.
        """
        self._settlement.register(kind, listener)

    # ----------------------------------------------------------------- commands

    async def submit(
        self,
        actor: Actor,
        kind: str,
        target: str,
        payload: Mapping[str, Any],
        *,
        request_id: str | None = None,
        approval_id: str | None = None,
        companions: Sequence[CompanionEvent] = (),
    ) -> ApprovalRequest:
        """Create a ``PENDING`` request binding ``payload`` (hashed now) to ``kind``'s policy.

        ``NotFound`` for an unknown kind, ``NotEligible`` if the accountable
        party may not propose, ``InvalidInput`` for a non-JSON payload.
        ``approval_id`` is an id the caller reserved (see :meth:`reserve_id`)
        so that its own record could name the request before it existed; a
        reserved id already in use is ``Conflict``. ``companions`` are the
        caller's own audit events (see :mod:`~appkit_domain.approvals.companion`),
        appended right after ``approval.submit`` in the same batch (same
        ``request_id``); this returns once all are durable.
        """
        await self.check_submission(actor, kind, target, payload)
        policy = self.policies.get(kind)
        request = steps.new_request(
            approval_id if approval_id is not None else self.reserve_id(),
            policy,
            actor,
            target,
            freeze_payload(payload),
            self._clock.now(),
        )
        await self.store.add(request)
        details = steps.submission_details(request)
        await asyncio.gather(
            self._commands.record(actor, "approval.submit", request, None, details, request_id),
            *(event.append_to(self.audit, request_id=request_id) for event in companions),
        )
        await self._notices.requested(request, policy)
        return request

    async def check_submission(
        self, actor: Actor, kind: str, target: str, payload: Mapping[str, Any]
    ) -> int:
        """Raise what :meth:`submit` would refuse this submission with; else its quorum.

        Stores nothing and audits nothing: a service that stores its own
        record before submitting (so an approval never names a missing
        record) asks first, and stores nothing when the answer is no.
        """
        policy = self.policies.get(kind)
        if not target or not target.strip():
            raise InvalidInput("an approval request needs a target")
        await self._eligibility.require(policy.proposers, actor, f"propose {kind!r} requests")
        return policy.required_approvals(freeze_payload(payload))

    def reserve_id(self) -> str:
        """A fresh approval request id, for a record stored before its request is submitted."""
        return self._ids.new_id("apr-")

    async def approve(
        self,
        approval_id: str,
        actor: Actor,
        *,
        comment: str = "",
        seen_hash: str | None = None,
        request_id: str | None = None,
    ) -> ApprovalRequest:
        """Record an approval; returns the request after it (applied, if it auto-applied)."""
        return await self.decide(
            approval_id,
            actor,
            Verdict.APPROVE,
            comment=comment,
            seen_hash=seen_hash,
            request_id=request_id,
        )

    async def reject(
        self,
        approval_id: str,
        actor: Actor,
        *,
        comment: str = "",
        seen_hash: str | None = None,
        request_id: str | None = None,
    ) -> ApprovalRequest:
        """Record a rejection; with the default veto the request ends ``REJECTED``."""
        return await self.decide(
            approval_id,
            actor,
            Verdict.REJECT,
            comment=comment,
            seen_hash=seen_hash,
            request_id=request_id,
        )

    async def decide(
        self,
        approval_id: str,
        actor: Actor,
        verdict: Verdict,
        *,
        comment: str = "",
        seen_hash: str | None = None,
        request_id: str | None = None,
    ) -> ApprovalRequest:
        """Record ``actor``'s verdict under rules 1-7 and 9.

        ``seen_hash`` is the payload hash the decider was shown; a different
        one is ``PayloadMismatch``. A request past its deadline is first
        saved ``EXPIRED`` and then ``RequestExpired`` is raised.
        """

        async def step(current: ApprovalRequest) -> Change:
            return await steps.decision(
                current,
                self.policies.get(current.kind),
                actor,
                verdict,
                comment=comment,
                seen_hash=seen_hash,
                now=self._clock.now(),
                eligibility=self._eligibility,
                claim_apply=self._applies_itself(current),
            )

        saved = await self._commands.run(approval_id, actor, request_id, step)
        if saved.apply_claimed and saved.status is ApprovalStatus.APPROVED:
            saved = await self._run_applier(saved, actor, request_id)
        if saved.status is not ApprovalStatus.PENDING:
            await self._notices.decided(saved)
        return saved

    async def withdraw(
        self,
        approval_id: str,
        actor: Actor,
        *,
        reason: str = "",
        request_id: str | None = None,
    ) -> ApprovalRequest:
        """Rule 8: the requester withdraws a ``PENDING`` request."""

        async def step(current: ApprovalRequest) -> Change:
            return steps.withdrawal(current, actor, reason, self._clock.now())

        return await self._commands.run(approval_id, actor, request_id, step)

    async def expire_due(
        self, actor: Actor, *, limit: int = 100, request_id: str | None = None
    ) -> builtins.list[ApprovalRequest]:
        """Rule 6 sweep: move every ``PENDING`` request past its deadline to ``EXPIRED``.

        ``actor`` is whoever runs the sweep (usually the app's service
        principal); returns the requests this call expired.
        """
        expired = []
        for candidate in await self.store.due(self._clock.now(), limit=limit):

            async def step(current: ApprovalRequest) -> Change:
                now = self._clock.now()
                if not current.is_overdue(now):
                    raise InvalidTransition(f"approval request {current.id} is not due")
                return steps.expiry(current, now, raise_after=False)

            try:
                saved = await self._commands.run(candidate.id, actor, request_id, step)
            except InvalidTransition:
                continue  # decided or expired by someone else meanwhile
            expired.append(saved)
            await self._notices.decided(saved)
        return expired

    async def apply(
        self, approval_id: str, actor: Actor, *, request_id: str | None = None
    ) -> ApprovalRequest:
        """Run the action of an ``APPROVED`` request whose policy does not auto-apply.

        Also the retry of an auto-applied action that raised ``Unavailable``
        (its outcome unknown, the request left ``APPROVED`` and unclaimed).
        ``NotEligible`` if the policy's ``appliers`` do not admit the actor,
        ``InvalidInput`` if the kind has no applier, ``InvalidTransition`` if
        the request is not ``APPROVED`` or its action was already claimed.
        """

        async def step(current: ApprovalRequest) -> Change:
            policy = self.policies.get(current.kind)
            await self._eligibility.require(
                policy.appliers, actor, f"apply {current.kind!r} requests"
            )
            if self.appliers.get(current.kind) is None:
                raise InvalidInput(f"requests of kind {current.kind!r} carry no action to apply")
            claimed = current.claimed_for_apply(self._clock.now())
            return Change(claimed, "", {})

        claimed = await self._commands.run(approval_id, actor, request_id, step)
        saved = await self._run_applier(claimed, actor, request_id)
        await self._notices.decided(saved)
        return saved

    # ----------------------------------------------------------------- internals

    def _applies_itself(self, request: ApprovalRequest) -> bool:
        return request.auto_apply and self.appliers.get(request.kind) is not None

    async def _run_applier(
        self, claimed: ApprovalRequest, actor: Actor, request_id: str | None
    ) -> ApprovalRequest:
        return await run_claimed_action(
            claimed,
            actor,
            request_id,
            appliers=self.appliers,
            clock=self._clock,
            commands=self._commands,
        )
