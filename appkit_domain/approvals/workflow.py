"""What a kind of request does besides being decided: its action and how its record follows.

A :class:`Workflow` is registered per request kind on the approval service:

- ``apply``: the action of an approved request that changes governed state
  (a write-back row, an override becoming active, an exception waived). It
  runs inside the unit of work that approves (or applies) the request and
  stages its writes there, so the decision, the action and every audit event
  commit together or not at all. It raises ``Conflict``, ``InvalidInput`` or
  ``NotFound`` for an expected failure: what it staged is discarded and the
  request ends ``APPLY_FAILED`` with that message. Any other error aborts the
  whole step (nothing is committed).
- ``execute``: an action outside the governance store (run a job, delete a
  secret scope). It runs after the approval is committed, under a lease
  (:class:`~appkit_domain.approvals.states.ApplyClaim`) whose token it must
  pass to the external system as an idempotency token, so a run repeated by
  recovery does the work once. Its result is then committed as ``APPLIED``;
  an expected failure as ``APPLY_FAILED``; ``Unavailable`` leaves the claim
  for a later apply or the recovery sweep, once the lease ends.
- ``follow``: keeps the kind's own record in line with the request. Called
  in the same unit of work whenever a step moves the request to another
  status (``APPROVED`` awaiting an explicit apply, ``REJECTED``, ``EXPIRED``,
  ``WITHDRAWN``, ``APPLY_FAILED``); not for ``APPLIED``, which ``apply``
  itself records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.model import ApprovalRequest
from appkit_domain.errors import InvalidInput
from appkit_domain.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ApplyContext:
    """What an action may know besides the request.

    ``actor`` triggered the apply (the last approver for auto-apply, the caller
    of ``apply`` otherwise); ``approvers`` are the accountable ids of the
    approvals; ``request_id`` correlates with the caller's request; ``now`` is
    the clock's time when the apply began.
    """

    actor: Actor
    approvers: tuple[str, ...]
    now: datetime
    request_id: str | None = None


class Applier(Protocol):
    """``async def apply(uow, request, context) -> result`` (JSON-like mapping)."""

    async def __call__(
        self, uow: UnitOfWork, request: ApprovalRequest, context: ApplyContext
    ) -> Mapping[str, Any]: ...


class ExternalAction(Protocol):
    """``async def execute(request, context, token) -> result``; ``token`` is the
    idempotency token to give the external system."""

    async def __call__(
        self, request: ApprovalRequest, context: ApplyContext, token: str
    ) -> Mapping[str, Any]: ...


class Follower(Protocol):
    """``async def follow(uow, request) -> None``: the kind's record follows ``request``."""

    async def __call__(self, uow: UnitOfWork, request: ApprovalRequest) -> None: ...


@dataclass(frozen=True)
class Workflow:
    """The action and follower of one request kind (see the module docstring)."""

    kind: str
    apply: Applier | None = None
    execute: ExternalAction | None = None
    follow: Follower | None = None

    def __post_init__(self) -> None:
        if not self.kind or not self.kind.strip():
            raise InvalidInput("a workflow needs a request kind")
        if self.apply is not None and self.execute is not None:
            raise InvalidInput(
                f"workflow {self.kind!r} gives both an in-store apply and an external action"
            )

    @property
    def has_action(self) -> bool:
        return self.apply is not None or self.execute is not None


class Workflows:
    """The registered workflow of each request kind (at most one per kind)."""

    def __init__(self) -> None:
        self._workflows: dict[str, Workflow] = {}

    def register(self, workflow: Workflow, *, replace: bool = False) -> None:
        """Register ``workflow``; a kind registered twice is ``InvalidInput`` unless ``replace``."""
        if workflow.kind in self._workflows and not replace:
            raise InvalidInput(f"a workflow for kind {workflow.kind!r} is already registered")
        self._workflows[workflow.kind] = workflow

    def get(self, kind: str) -> Workflow | None:
        return self._workflows.get(kind)

    def __contains__(self, kind: object) -> bool:
        return kind in self._workflows

    def kinds(self) -> list[str]:
        return sorted(self._workflows)
