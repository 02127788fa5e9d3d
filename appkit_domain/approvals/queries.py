"""The read side of the approval service: requests by id, by status and kind, and who may decide.

:class:`ApprovalQueries` is the base of
:class:`~appkit_domain.approvals.service.ApprovalService`; the service sets
the attributes it reads. Queries change nothing and audit nothing.
"""

from __future__ import annotations

from appkit_domain.approvals import rules
from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.eligibility import EligibilityCheck
from appkit_domain.approvals.model import ApprovalRequest, ApprovalStatus
from appkit_domain.approvals.policy import PolicyRegistry
from appkit_domain.errors import AppkitError
from appkit_domain.pagination import DEFAULT_PAGE_SIZE, Page, check_page_size
from appkit_domain.ports.approval_store import ApprovalStore
from appkit_domain.ports.clock import Clock


class ApprovalQueries:
    """Reads over ``store``, judged at the clock's now by ``policies`` and eligibility."""

    store: ApprovalStore
    policies: PolicyRegistry
    _clock: Clock
    _eligibility: EligibilityCheck

    async def get(self, approval_id: str) -> ApprovalRequest:
        """The request with this id; ``NotFound`` if there is none."""
        return await self.store.get(approval_id)

    async def list(
        self,
        *,
        status: ApprovalStatus | None = None,
        kind: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        page_token: str | None = None,
    ) -> Page[ApprovalRequest]:
        """Requests by status and/or kind, oldest first, one page at a time."""
        check_page_size(page_size)
        return await self.store.list(
            status=status, kind=kind, page_size=page_size, page_token=page_token
        )

    async def may_decide(self, request: ApprovalRequest, actor: Actor) -> bool:
        """Whether ``actor`` could decide ``request`` now (for showing approve/reject buttons)."""
        if request.status is not ApprovalStatus.PENDING or request.is_overdue(self._clock.now()):
            return False
        try:
            rules.check_not_maker(request, actor)
            policy = self.policies.get(request.kind)
            await self._eligibility.require(policy.deciders, actor, "decide")
            rules.check_first_decision(request, actor)
        except AppkitError:
            return False
        return True
