"""Maker-checker approvals: the shared primitive every governed action goes through.

Build the service once per app, over the app's units of work::

    policies = PolicyRegistry([
        MakerCheckerPolicy(
            kind="writeback_change",
            proposers=Eligibility.of(roles={"maker"}),
            deciders=Eligibility.of(roles={"approver"}),
            quorum=1,                       # or a callable payload -> int
            veto=True,                      # one rejection ends it REJECTED
            deadline=timedelta(days=3),     # from submission
            auto_apply=True,                # run the action when the quorum is reached
        ),
    ])
    service = ApprovalService(units, approval_store, audit_log, policies=policies,
                              roles=RoleMap({"risk-approvers": {"approver"}}),
                              directory=directory, notifier=notifier)
    service.register(Workflow("writeback_change", apply=apply_change, follow=follow))

A :class:`Workflow` gives a kind its action and a follower for its own
record; see :mod:`appkit_domain.approvals.workflow`. Every command is one unit
of work: the decision, the action of an approved request, the record
following it and every audit event commit together or not at all.

Commands (all ``async``; ``actor`` is an :class:`Actor`; ``request_id`` is the
caller's correlation id recorded in audit; ``idempotency_key`` makes a retried
request answer as the first did):

- ``submit(actor, kind, target, payload)`` and, inside another step,
  ``open_in(uow, actor, kind, target, payload)`` then ``announce(request)``
- ``approve``/``reject``/``decide(approval_id, actor, ..., comment=, seen_hash=)``
- ``withdraw(approval_id, actor, reason=)``
- ``apply(approval_id, actor)`` (policies with ``auto_apply=False``)
- ``expire_due(actor, limit=)`` and ``recover_claims(actor)`` (sweeps)
- ``get``, ``list(status=, kind=, page_size=, page_token=)``, ``may_decide``

Errors: ``NotFound`` (unknown id or kind), ``SelfApproval``/``NotEligible``
(``PermissionDenied``), ``AlreadyDecided``/``PayloadMismatch``/``ConcurrentModification``
(``Conflict``), ``InvalidTransition`` and its ``RequestExpired``, ``InvalidInput``.
"""

from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.errors import (
    AlreadyDecided,
    ConcurrentModification,
    NotEligible,
    PayloadMismatch,
    RequestExpired,
    SelfApproval,
)
from appkit_domain.approvals.model import (
    APPROVAL_REQUESTS,
    TRANSITIONS,
    ApplyClaim,
    ApprovalRequest,
    ApprovalStatus,
    Decision,
    Verdict,
)
from appkit_domain.approvals.payload import Payload, freeze_payload, payload_hash, thaw
from appkit_domain.approvals.policy import (
    Eligibility,
    MakerCheckerPolicy,
    PolicyRegistry,
    QuorumRule,
    fixed_quorum,
    materiality_quorum,
)
from appkit_domain.approvals.service import ApprovalService
from appkit_domain.approvals.workflow import (
    Applier,
    ApplyContext,
    ExternalAction,
    Follower,
    Workflow,
    Workflows,
)

__all__ = [
    "APPROVAL_REQUESTS",
    "TRANSITIONS",
    "Actor",
    "AlreadyDecided",
    "Applier",
    "ApplyClaim",
    "ApplyContext",
    "ApprovalRequest",
    "ApprovalService",
    "ApprovalStatus",
    "ConcurrentModification",
    "Decision",
    "Eligibility",
    "ExternalAction",
    "Follower",
    "MakerCheckerPolicy",
    "NotEligible",
    "Payload",
    "PayloadMismatch",
    "PolicyRegistry",
    "QuorumRule",
    "RequestExpired",
    "SelfApproval",
    "Verdict",
    "Workflow",
    "Workflows",
    "fixed_quorum",
    "freeze_payload",
    "materiality_quorum",
    "payload_hash",
    "thaw",
]
