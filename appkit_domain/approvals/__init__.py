"""Maker-checker approvals: the shared primitive every governed action goes through.

Public API (stable; other services build on it)::

    from appkit_domain.approvals import (
        Actor, ApprovalService, ApprovalRequest, ApprovalStatus, Verdict, Decision,
        MakerCheckerPolicy, Eligibility, PolicyRegistry, fixed_quorum, materiality_quorum,
        ApplierRegistry, ApplyContext, Applier, payload_hash, thaw,
    )

Build a service once per app::

    policies = PolicyRegistry([
        MakerCheckerPolicy(
            kind="writeback_change",
            proposers=Eligibility.of(roles={"maker"}),
            deciders=Eligibility.of(roles={"approver"}),
            quorum=1,                       # or a callable payload -> int
            veto=True,                      # one rejection ends it REJECTED
            deadline=timedelta(days=3),     # from submission
            auto_apply=True,                # run the applier when the quorum is reached
        ),
    ])
    service = ApprovalService(store, audit_log, clock, ids, policies=policies,
                              roles=RoleMap({"risk-approvers": {"approver"}}),
                              directory=directory, notifier=notifier)
    service.appliers.register("writeback_change", apply_change)

An applier is ``async def apply_change(request: ApprovalRequest, context: ApplyContext)
-> Mapping[str, Any]``; it acts on ``request.payload`` (read-only; ``thaw()`` gives a
plain dict) and raises ``Conflict``/``InvalidInput``/``NotFound`` for an expected
failure (the request ends ``APPLY_FAILED`` with that message), ``Unavailable`` when its
outcome is unknown (the request stays ``APPROVED``; ``apply`` runs it again, so it must be
idempotent per request). Once it succeeds or fails it is never run again.

Commands (all ``async``; ``actor`` is an :class:`Actor`; ``request_id`` is the caller's
correlation id recorded in audit):

- ``submit(actor, kind, target, payload, *, request_id=None) -> ApprovalRequest``
- ``approve(approval_id, actor, *, comment="", seen_hash=None, request_id=None)``
- ``reject(approval_id, actor, *, comment="", seen_hash=None, request_id=None)``
- ``decide(approval_id, actor, verdict, *, comment="", seen_hash=None, request_id=None)``
- ``withdraw(approval_id, actor, *, reason="", request_id=None)``
- ``apply(approval_id, actor, *, request_id=None)`` (policies with ``auto_apply=False``)
- ``expire_due(actor, *, limit=100, request_id=None) -> list[ApprovalRequest]``
- ``on_settled(kind, listener)``: ``async def listener(request) -> None`` awaited once a
  request of ``kind`` reaches a terminal status (saved and audited first)
- ``check_submission(actor, kind, target, payload) -> int`` (what ``submit`` would refuse,
  storing nothing) and ``reserve_id()``/``submit(..., approval_id=...)`` for a service that
  stores its own record before submitting; ``submit(..., companions=[CompanionEvent(...)])``
  appends that record's audit event in the same batch as ``approval.submit``
- ``get(approval_id)``, ``list(*, status=None, kind=None, page_size=50, page_token=None)``,
  ``may_decide(request, actor) -> bool``

Errors: ``NotFound`` (unknown id or kind), ``SelfApproval``/``NotEligible``
(``PermissionDenied``), ``AlreadyDecided``/``PayloadMismatch``/``ConcurrentModification``
(``Conflict``), ``InvalidTransition`` and its ``RequestExpired``, ``InvalidInput``.
"""

from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.appliers import Applier, ApplierRegistry, ApplyContext
from appkit_domain.approvals.companion import CompanionEvent
from appkit_domain.approvals.errors import (
    AlreadyDecided,
    ConcurrentModification,
    NotEligible,
    PayloadMismatch,
    RequestExpired,
    SelfApproval,
)
from appkit_domain.approvals.model import (
    TRANSITIONS,
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
from appkit_domain.approvals.settlement import SettlementListener

__all__ = [
    "TRANSITIONS",
    "Actor",
    "AlreadyDecided",
    "Applier",
    "ApplierRegistry",
    "ApplyContext",
    "ApprovalRequest",
    "ApprovalService",
    "ApprovalStatus",
    "CompanionEvent",
    "ConcurrentModification",
    "Decision",
    "Eligibility",
    "MakerCheckerPolicy",
    "NotEligible",
    "Payload",
    "PayloadMismatch",
    "PolicyRegistry",
    "QuorumRule",
    "RequestExpired",
    "SelfApproval",
    "SettlementListener",
    "Verdict",
    "fixed_quorum",
    "freeze_payload",
    "materiality_quorum",
    "payload_hash",
    "thaw",
]
