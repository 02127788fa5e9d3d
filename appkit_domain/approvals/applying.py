"""Running the action of a claimed, approved request exactly once.

Only the command that claimed the action (a version-checked save setting
``apply_claimed``) calls this. The payload hash is re-checked first (rule 7);
then the applier runs and the request ends ``APPLIED`` with its result, or
``APPLY_FAILED`` with a reason. An applier's ``Conflict``, ``InvalidInput``
or ``NotFound`` gives its own message as the reason; any other exception a
generic reason naming only the exception type, so no secret in its text can
reach the request or the audit log.

An applier that raises :class:`~appkit_domain.errors.Unavailable` has an
unknown outcome: a dependency (the warehouse, or the audit store recording
what the action did) could not answer, so the action may or may not have
taken effect and its audit event may be missing. Such a request is not
settled: its claim is released (it stays ``APPROVED``, so a later ``apply``
runs the applier again; appliers are idempotent per request) and the error
reaches the caller. No command reports success for an action whose audit
event is not durable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from appkit_domain.approvals import rules
from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.appliers import ApplierRegistry, ApplyContext
from appkit_domain.approvals.model import ApprovalRequest, ApprovalStatus
from appkit_domain.approvals.payload import freeze_payload
from appkit_domain.approvals.versioned import Change, VersionedCommands
from appkit_domain.errors import Conflict, InvalidInput, InvalidTransition, NotFound, Unavailable
from appkit_domain.ports.clock import Clock

EXPECTED_APPLY_ERRORS = (Conflict, InvalidInput, NotFound)


async def run_claimed_action(
    claimed: ApprovalRequest,
    actor: Actor,
    request_id: str | None,
    *,
    appliers: ApplierRegistry,
    clock: Clock,
    commands: VersionedCommands,
) -> ApprovalRequest:
    """Run ``claimed``'s applier once and save/audit ``APPLIED`` or ``APPLY_FAILED``.

    ``claimed`` is the request exactly as the claim saved it, so the final
    save starts from it without reading it again; that save is version-checked
    and, should anything have saved in between, runs again on fresh state.
    """
    result: Mapping[str, Any] | None = None
    failure = rules.binding_failure(claimed)
    applier = appliers.get(claimed.kind)
    if failure is None and applier is None:
        failure = f"no applier is registered for kind {claimed.kind!r}"
    if failure is None and applier is not None:
        context = ApplyContext(actor, claimed.approvers, clock.now(), request_id)
        try:
            result = freeze_payload(await applier(claimed, context))
        except Unavailable:
            await _release_claim(claimed, actor, request_id, commands)
            raise
        except EXPECTED_APPLY_ERRORS as exc:
            failure = exc.message
        except Exception as exc:
            failure = f"the action failed unexpectedly ({type(exc).__name__})"

    async def step(current: ApprovalRequest) -> Change:
        if current.status is not ApprovalStatus.APPROVED or not current.apply_claimed:
            raise InvalidTransition(f"approval request {current.id} changed while its action ran")
        now = clock.now()
        if failure is not None:
            failed = current.transition(ApprovalStatus.APPLY_FAILED, now, failure=failure)
            return Change(failed, "approval.apply_failed", {"failure": failure})
        applied = current.transition(
            ApprovalStatus.APPLIED, now, result=result, applied_by=actor.party_id
        )
        return Change(applied, "approval.apply", {"result": result})

    return await commands.run(claimed.id, actor, request_id, step, loaded=claimed)


async def _release_claim(
    claimed: ApprovalRequest, actor: Actor, request_id: str | None, commands: VersionedCommands
) -> None:
    """Give back the claim of an action whose outcome is unknown, so it can be applied again."""

    async def step(current: ApprovalRequest) -> Change:
        if current.status is not ApprovalStatus.APPROVED or not current.apply_claimed:
            raise InvalidTransition(f"approval request {current.id} changed while its action ran")
        return Change(current.released_for_apply(), "", {})

    await commands.run(claimed.id, actor, request_id, step, loaded=claimed)
