"""Running the action an approved request carries, inside the step that approves or applies it.

An in-store action (:attr:`Workflow.apply`) runs within a savepoint of the
step's unit of work: it succeeds and the request is staged ``APPLIED``, or it
fails as expected and everything it staged is discarded and the request is
staged ``APPLY_FAILED`` with the reason. An external action
(:attr:`Workflow.execute`) is only claimed here (a lease on the request);
the approval service runs it once the claim is committed.

Rule 7 is checked first: a payload that no longer hashes to what was
approved, or a quorum not met, fails the apply. An action's ``Conflict``,
``InvalidInput`` or ``NotFound`` gives its own message as the reason; any
other error but ``Unavailable`` and ``StaleVersion`` a generic reason naming
only the error type, so no secret in its text can reach the request or the
audit log. ``Unavailable`` and ``StaleVersion`` abort the whole step.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.model import APPROVAL_REQUESTS, ApprovalRequest
from appkit_domain.approvals.payload import freeze_payload
from appkit_domain.approvals.workflow import ApplyContext, Workflow
from appkit_domain.errors import Conflict, InvalidInput, NotFound, StaleVersion, Unavailable
from appkit_domain.unit_of_work import UnitOfWork

EXPECTED_APPLY_ERRORS = (Conflict, InvalidInput, NotFound)


def failure_of(exc: BaseException) -> str:
    """The reason an action's failure gives a request (see the module docstring)."""
    if isinstance(exc, EXPECTED_APPLY_ERRORS):
        return exc.message
    return f"the action failed unexpectedly ({type(exc).__name__})"


async def run_in_store(
    uow: UnitOfWork,
    request: ApprovalRequest,
    workflow: Workflow,
    context: ApplyContext,
) -> tuple[Mapping[str, Any] | None, str | None]:
    """Run ``workflow.apply`` for ``request`` in ``uow``: ``(result, None)`` or ``(None, reason)``."""
    assert workflow.apply is not None
    failure = request.binding_failure()
    if failure is not None:
        return None, failure
    try:
        with uow.savepoint():
            return freeze_payload(await workflow.apply(uow, request, context)), None
    except (Unavailable, StaleVersion):
        raise
    except Exception as exc:
        return None, failure_of(exc)


def claim_external(
    uow: UnitOfWork, request: ApprovalRequest, lease: timedelta
) -> ApprovalRequest | str:
    """Stage the claim under which an external action will run; or the rule-7 failure reason."""
    failure = request.binding_failure()
    if failure is not None:
        return failure
    now = uow.clock.now()
    token = request.claim.token if request.claim is not None else uow.ids.new_id("act-")
    return uow.repo(APPROVAL_REQUESTS).save(request.claimed(token, now + lease, now))


def context_for(
    request: ApprovalRequest, actor: Actor, now: datetime, request_id: str | None
) -> ApplyContext:
    """What the action of ``request`` is told, applied by ``actor`` at ``now``."""
    return ApplyContext(actor, request.approvers, now, request_id)
