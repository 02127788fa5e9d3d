"""The approval service: maker-checker steps, each one unit of work.

Every command is a step: it loads the request, lets the aggregate apply the
rules, stages the new state, the audit event of the transition, the action of
an approved request (:mod:`appkit_domain.approvals.actions`) and whatever the
kind's own record does to follow (:class:`~appkit_domain.approvals.workflow.Workflow`),
and commits all of it at once. When a decision raced another, the commit is
refused and the step runs again on fresh state (rule 9): two decisions can
never both count past quorum, and an action never runs twice. Notifications
are sent after the commit.
"""

from __future__ import annotations

import builtins
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from appkit_domain.approvals.actions import (
    claim_external,
    context_for,
    failure_of,
    run_in_store,
)
from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.eligibility import EligibilityCheck
from appkit_domain.approvals.errors import RequestExpired
from appkit_domain.approvals.model import APPROVAL_REQUESTS, ApprovalRequest
from appkit_domain.approvals.notices import ApprovalNotices
from appkit_domain.approvals.payload import freeze_payload, payload_hash
from appkit_domain.approvals.policy import PolicyRegistry
from appkit_domain.approvals.queries import ApprovalQueries
from appkit_domain.approvals.states import ApprovalStatus, Verdict
from appkit_domain.approvals.workflow import Workflow, Workflows
from appkit_domain.audit.log import AuditLog
from appkit_domain.errors import AppkitError, InvalidInput, InvalidTransition, Unavailable
from appkit_domain.ports.approval_store import ApprovalStore
from appkit_domain.ports.directory import Directory
from appkit_domain.ports.notifier import Notifier
from appkit_domain.roles import RoleMap
from appkit_domain.unit_of_work import UnitOfWork, UnitsOfWork

DEFAULT_CLAIM_LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class _Stepped:
    """A step's request as committed, and the error to raise once it is committed."""

    request: ApprovalRequest
    raise_after: AppkitError | None = None


def _replay_request(service: ApprovalService) -> Callable[[Mapping[str, Any]], Awaitable[_Stepped]]:
    async def replay(outcome: Mapping[str, Any]) -> _Stepped:
        return _Stepped(await service.get(str(outcome["approval_id"])))

    return replay


def _outcome(stepped: _Stepped) -> Mapping[str, Any]:
    return {"approval_id": stepped.request.id}


class ApprovalService(ApprovalQueries):
    """Submit, decide, withdraw, expire and apply approval requests.

    ``units`` makes the units of work; ``store`` answers the read-side
    queries (lists, due requests). ``policies`` gives each kind's
    :class:`MakerCheckerPolicy`; ``workflows`` each kind's action and record
    follower. Groups are resolved through ``directory`` at each command when
    one is given (eligibility evaluated at decision time), else taken from the
    principal; roles come from ``roles``. ``claim_lease`` bounds how long an
    external action may run before recovery may run it again (same token).
    """

    def __init__(
        self,
        units: UnitsOfWork,
        store: ApprovalStore,
        audit: AuditLog,
        *,
        policies: PolicyRegistry,
        workflows: Workflows | None = None,
        roles: RoleMap | None = None,
        directory: Directory | None = None,
        notifier: Notifier | None = None,
        claim_lease: timedelta = DEFAULT_CLAIM_LEASE,
    ) -> None:
        if claim_lease <= timedelta(0):
            raise InvalidInput("claim_lease must be positive")
        self.units = units
        self.store = store
        self.audit = audit
        self.policies = policies
        self.workflows = workflows if workflows is not None else Workflows()
        self.roles = roles if roles is not None else RoleMap()
        self.claim_lease = claim_lease
        self._clock = units.clock
        self._ids = units.ids
        self._eligibility = EligibilityCheck(self.roles, directory)
        self._notices = ApprovalNotices(notifier, audit, self.roles)

    def register(self, workflow: Workflow, *, replace: bool = False) -> None:
        """Register a kind's :class:`Workflow` (its action and record follower)."""
        self.workflows.register(workflow, replace=replace)

    # -- steps other services compose ------------------------------------------------------------

    async def open_in(
        self,
        uow: UnitOfWork,
        actor: Actor,
        kind: str,
        target: str,
        payload: Mapping[str, Any],
        *,
        request_id: str | None = None,
    ) -> ApprovalRequest:
        """Stage a new ``PENDING`` request of ``kind`` in ``uow`` (it commits with the caller's step).

        ``NotFound`` for an unknown kind, ``NotEligible`` if the accountable
        party may not propose, ``InvalidInput`` for a missing target or a
        non-JSON payload. Announce it with :meth:`announce` once committed.
        """
        policy = self.policies.get(kind)
        if not target or not target.strip():
            raise InvalidInput("an approval request needs a target")
        frozen = freeze_payload(payload)
        await self._eligibility.require(policy.proposers, actor, f"propose {kind!r} requests")
        request = ApprovalRequest.open(
            self._ids.new_id("apr-"), policy, actor, target, frozen, uow.clock.now()
        )
        uow.repo(APPROVAL_REQUESTS).add(request)
        self._record(
            uow,
            actor,
            "approval.submit",
            request,
            None,
            {
                "payload": request.payload,
                "required_approvals": request.required_approvals,
                "deadline": request.deadline,
            },
            request_id,
        )
        return request

    async def announce(self, request: ApprovalRequest) -> None:
        """Tell those who may decide that ``request`` (committed) awaits them."""
        await self._notices.requested(request, self.policies.get(request.kind))

    # -- commands ----------------------------------------------------------------------------

    async def submit(
        self,
        actor: Actor,
        kind: str,
        target: str,
        payload: Mapping[str, Any],
        *,
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> ApprovalRequest:
        """Create a ``PENDING`` request binding ``payload`` (hashed now) to ``kind``'s policy."""

        async def body(uow: UnitOfWork) -> _Stepped:
            return _Stepped(
                await self.open_in(uow, actor, kind, target, payload, request_id=request_id)
            )

        stepped = await self.units.run(
            "approval.submit",
            body,
            outcome=_outcome,
            principal=actor.party_id,
            idempotency_key=idempotency_key,
            request_hash=_hash_of(kind, target, payload) if idempotency_key else None,
            replay=_replay_request(self),
        )
        await self.announce(stepped.request)
        return stepped.request

    async def approve(
        self,
        approval_id: str,
        actor: Actor,
        *,
        comment: str = "",
        seen_hash: str | None = None,
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> ApprovalRequest:
        """Record an approval; returns the request after it (applied, if it auto-applied)."""
        return await self.decide(
            approval_id,
            actor,
            Verdict.APPROVE,
            comment=comment,
            seen_hash=seen_hash,
            request_id=request_id,
            idempotency_key=idempotency_key,
        )

    async def reject(
        self,
        approval_id: str,
        actor: Actor,
        *,
        comment: str = "",
        seen_hash: str | None = None,
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> ApprovalRequest:
        """Record a rejection; with the default veto the request ends ``REJECTED``."""
        return await self.decide(
            approval_id,
            actor,
            Verdict.REJECT,
            comment=comment,
            seen_hash=seen_hash,
            request_id=request_id,
            idempotency_key=idempotency_key,
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
        idempotency_key: str | None = None,
    ) -> ApprovalRequest:
        """Record ``actor``'s verdict under rules 1-7 and 9, applying an approved request whose
        policy auto-applies, in the same step.

        ``seen_hash`` is the payload hash the decider was shown; a different
        one is ``PayloadMismatch``. A request past its deadline is committed
        ``EXPIRED`` and then ``RequestExpired`` is raised.
        """

        async def body(uow: UnitOfWork) -> _Stepped:
            requests = uow.repo(APPROVAL_REQUESTS)
            current = await requests.get(approval_id)
            now = uow.clock.now()
            if current.is_overdue(now):
                expired = await self._expire_in(uow, current, actor, request_id)
                return _Stepped(
                    expired,
                    RequestExpired(
                        f"approval request {current.id} expired at its deadline",
                        details={
                            "approval_id": current.id,
                            "deadline": current.deadline.isoformat(),
                        },
                    ),
                )
            policy = self.policies.get(current.kind)
            refusal = await self._eligibility.refusal(
                policy.deciders, actor, f"decide {current.kind!r} requests"
            )
            decided = requests.save(
                current.decide(
                    policy,
                    actor,
                    verdict,
                    comment=comment,
                    seen_hash=seen_hash,
                    now=now,
                    refusal=refusal,
                )
            )
            self._record(
                uow,
                actor,
                "approval.approve" if verdict is Verdict.APPROVE else "approval.reject",
                decided,
                current.status,
                {
                    "verdict": verdict.value,
                    "comment": comment,
                    "approvals": len(decided.approvals),
                    "required_approvals": decided.required_approvals,
                },
                request_id,
            )
            if decided.status is ApprovalStatus.APPROVED and decided.auto_apply:
                return _Stepped(await self._apply_in(uow, decided, actor, request_id))
            if decided.status is not ApprovalStatus.PENDING:
                await self._follow(uow, decided)
            return _Stepped(decided)

        stepped = await self._run(
            "approval.decide",
            body,
            actor,
            idempotency_key,
            approval_id,
            {"verdict": verdict.value, "comment": comment, "seen_hash": seen_hash},
        )
        return await self._finish(stepped, actor, request_id)

    async def withdraw(
        self,
        approval_id: str,
        actor: Actor,
        *,
        reason: str = "",
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> ApprovalRequest:
        """Rule 8: the requester withdraws a ``PENDING`` request."""

        async def body(uow: UnitOfWork) -> _Stepped:
            requests = uow.repo(APPROVAL_REQUESTS)
            current = await requests.get(approval_id)
            withdrawn = requests.save(current.withdraw(actor, reason, uow.clock.now()))
            self._record(
                uow, actor, "approval.withdraw", withdrawn, current.status, {"reason": reason},
                request_id,
            )  # fmt: skip
            await self._follow(uow, withdrawn)
            return _Stepped(withdrawn)

        stepped = await self._run(
            "approval.withdraw", body, actor, idempotency_key, approval_id, {"reason": reason}
        )
        return stepped.request

    async def expire_due(
        self, actor: Actor, *, limit: int = 100, request_id: str | None = None
    ) -> builtins.list[ApprovalRequest]:
        """Rule 6 sweep: every ``PENDING`` request past its deadline becomes ``EXPIRED``.

        ``actor`` runs the sweep (usually the app's service principal); returns
        the requests this call expired, each expired in its own step.
        """
        expired = []
        for candidate in await self.store.due(self._clock.now(), limit=limit):

            async def body(uow: UnitOfWork, approval_id: str = candidate.id) -> _Stepped | None:
                current = await uow.repo(APPROVAL_REQUESTS).get(approval_id)
                if not current.is_overdue(uow.clock.now()):
                    return None  # decided or expired by someone else meanwhile
                return _Stepped(await self._expire_in(uow, current, actor, request_id))

            stepped = await self.units.run("approval.expire", body)
            if stepped is not None:
                expired.append(stepped.request)
                await self._notices.decided(stepped.request)
        return expired

    async def apply(
        self,
        approval_id: str,
        actor: Actor,
        *,
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> ApprovalRequest:
        """Run the action of an ``APPROVED`` request whose policy does not auto-apply.

        Also takes over an external action whose claim's lease ended (it runs
        again with the same token). ``NotEligible`` if the policy's
        ``appliers`` do not admit the actor, ``InvalidInput`` if the kind
        carries no action, ``InvalidTransition`` if the request is not
        ``APPROVED`` or its action is being run.
        """

        async def body(uow: UnitOfWork) -> _Stepped:
            current = await uow.repo(APPROVAL_REQUESTS).get(approval_id)
            policy = self.policies.get(current.kind)
            await self._eligibility.require(
                policy.appliers, actor, f"apply {current.kind!r} requests"
            )
            workflow = self.workflows.get(current.kind)
            if workflow is None or not workflow.has_action:
                raise InvalidInput(f"requests of kind {current.kind!r} carry no action to apply")
            current.require_status(ApprovalStatus.APPROVED, "can be applied")
            return _Stepped(await self._apply_in(uow, current, actor, request_id))

        stepped = await self._run("approval.apply", body, actor, idempotency_key, approval_id, {})
        return await self._finish(stepped, actor, request_id)

    async def recover_claims(self, actor: Actor, *, request_id: str | None = None) -> int:
        """Run again (same token) every external action whose claim's lease ended; returns how
        many requests this settled. Unavailable actions stay claimed for the next sweep."""
        settled = 0
        now = self._clock.now()
        token: str | None = None
        while True:
            page = await self.store.list(
                status=ApprovalStatus.APPROVED, page_size=200, page_token=token
            )
            for request in page.items:
                if request.claim is None or request.claim.until > now:
                    continue
                try:
                    result = await self.apply(request.id, actor, request_id=request_id)
                except (Unavailable, InvalidTransition):
                    continue
                settled += result.status is not ApprovalStatus.APPROVED
            token = page.next_page_token
            if token is None:
                return settled

    # -- inside a step -----------------------------------------------------------------------

    async def _expire_in(
        self, uow: UnitOfWork, current: ApprovalRequest, actor: Actor, request_id: str | None
    ) -> ApprovalRequest:
        expired = uow.repo(APPROVAL_REQUESTS).save(current.expire(uow.clock.now()))
        self._record(
            uow, actor, "approval.expire", expired, current.status,
            {"deadline": current.deadline}, request_id,
        )  # fmt: skip
        await self._follow(uow, expired)
        return expired

    async def _apply_in(
        self, uow: UnitOfWork, approved: ApprovalRequest, actor: Actor, request_id: str | None
    ) -> ApprovalRequest:
        """The action of ``approved`` in this step: applied or failed, claimed (external), or
        awaiting an action nobody registered (followed as ``APPROVED``)."""
        workflow = self.workflows.get(approved.kind)
        if workflow is None or not workflow.has_action:
            await self._follow(uow, approved)
            return approved
        requests = uow.repo(APPROVAL_REQUESTS)
        if workflow.execute is not None:
            claimed = claim_external(uow, approved, self.claim_lease)
            if isinstance(claimed, ApprovalRequest):
                return claimed
            return await self._failed_in(uow, approved, actor, claimed, request_id)
        result, failure = await run_in_store(
            uow, approved, workflow, context_for(approved, actor, uow.clock.now(), request_id)
        )
        if failure is not None:
            return await self._failed_in(uow, approved, actor, failure, request_id)
        assert result is not None
        applied = requests.save(approved.applied(result, actor.party_id, uow.clock.now()))
        self._record(
            uow, actor, "approval.apply", applied, approved.status, {"result": result}, request_id
        )
        return applied

    async def _failed_in(
        self,
        uow: UnitOfWork,
        approved: ApprovalRequest,
        actor: Actor,
        failure: str,
        request_id: str | None,
    ) -> ApprovalRequest:
        failed = uow.repo(APPROVAL_REQUESTS).save(approved.apply_failed(failure, uow.clock.now()))
        self._record(
            uow, actor, "approval.apply_failed", failed, approved.status, {"failure": failure},
            request_id,
        )  # fmt: skip
        await self._follow(uow, failed)
        return failed

    async def _follow(self, uow: UnitOfWork, request: ApprovalRequest) -> None:
        workflow = self.workflows.get(request.kind)
        if workflow is not None and workflow.follow is not None:
            await workflow.follow(uow, request)

    # -- after a step ------------------------------------------------------------------------

    async def _run(
        self,
        name: str,
        body: Any,
        actor: Actor,
        idempotency_key: str | None,
        approval_id: str,
        inputs: Mapping[str, Any],
    ) -> _Stepped:
        stepped: _Stepped = await self.units.run(
            name,
            body,
            outcome=_outcome,
            principal=actor.party_id,
            idempotency_key=idempotency_key,
            request_hash=_hash_of(name, approval_id, inputs) if idempotency_key else None,
            replay=_replay_request(self),
            subject=f"approval request {approval_id}",
        )
        if stepped.raise_after is not None:
            await self._notices.decided(stepped.request)
            raise stepped.raise_after
        return stepped

    async def _finish(
        self, stepped: _Stepped, actor: Actor, request_id: str | None
    ) -> ApprovalRequest:
        request = stepped.request
        if request.claim is not None and request.status is ApprovalStatus.APPROVED:
            request = await self._execute(request, actor, request_id)
        if request.status is not ApprovalStatus.PENDING:
            await self._notices.decided(request)
        return request

    async def _execute(
        self, claimed: ApprovalRequest, actor: Actor, request_id: str | None
    ) -> ApprovalRequest:
        """Run a claimed external action, then commit its outcome (see :mod:`.workflow`)."""
        workflow = self.workflows.get(claimed.kind)
        assert workflow is not None and workflow.execute is not None and claimed.claim is not None
        token = claimed.claim.token
        context = context_for(claimed, actor, self._clock.now(), request_id)
        result: Mapping[str, Any] | None = None
        failure: str | None = None
        try:
            result = freeze_payload(await workflow.execute(claimed, context, token))
        except Unavailable:
            raise  # outcome unknown: the claim stays; its lease lets it run again later
        except Exception as exc:
            failure = failure_of(exc)

        async def settle(uow: UnitOfWork) -> _Stepped:
            current = await uow.repo(APPROVAL_REQUESTS).get(claimed.id)
            if current.is_terminal:
                return _Stepped(current)  # settled by another run of the same claim
            current.require_claim(token)
            if failure is not None:
                return _Stepped(await self._failed_in(uow, current, actor, failure, request_id))
            assert result is not None
            applied = uow.repo(APPROVAL_REQUESTS).save(
                current.applied(result, actor.party_id, uow.clock.now())
            )
            self._record(
                uow, actor, "approval.apply", applied, current.status,
                {"result": result, "claim": token}, request_id,
            )  # fmt: skip
            return _Stepped(applied)

        settled = await self.units.run(
            "approval.settle", settle, subject=f"approval request {claimed.id}"
        )
        return settled.request

    def _record(
        self,
        uow: UnitOfWork,
        actor: Actor,
        action: str,
        request: ApprovalRequest,
        before: ApprovalStatus | None,
        details: Mapping[str, Any],
        request_id: str | None,
    ) -> None:
        uow.record(
            actor=actor.id,
            on_behalf_of=actor.on_behalf_of_id,
            action=action,
            target=request.audit_target,
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


def _hash_of(name: str, subject: str, payload: Mapping[str, Any]) -> str:
    """What identifies a request sent with an idempotency key (its step, subject and input)."""
    return payload_hash({"step": name, "subject": subject, "payload": dict(payload)})
