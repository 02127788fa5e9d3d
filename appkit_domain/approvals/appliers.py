"""Appliers: the actions an approved request carries, registered by request kind.

An applier is an async callable ``(request, context) -> result mapping``.
It runs at most once per request, only after the request is ``APPROVED``
and its payload hash re-checked (rule 7), and must act on
``request.payload`` exactly, never on a fresher copy of the data. It
signals an expected failure by raising :class:`appkit_domain.errors.Conflict`,
:class:`~appkit_domain.errors.InvalidInput` or
:class:`~appkit_domain.errors.NotFound`: the request then ends
``APPLY_FAILED`` with that error's message as the reason. It raises
:class:`~appkit_domain.errors.Unavailable` when a dependency could not answer
and the outcome is unknown (including an audit append of its own that
failed): the request then stays ``APPROVED``, the error reaches the caller,
and a later ``apply`` runs the applier again, so an applier must be
idempotent per request. Any other exception ends it ``APPLY_FAILED`` with a
generic reason (the exception text is not recorded, so secrets cannot leak
through it). The result must be JSON-like; it is stored on the request and
audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.model import ApprovalRequest
from appkit_domain.errors import InvalidInput


@dataclass(frozen=True)
class ApplyContext:
    """What an applier may know besides the request.

    ``actor`` triggered the apply (the last approver for auto-apply, the
    caller of ``apply`` otherwise); ``approvers`` are the accountable ids of
    the approvals; ``request_id`` correlates with the caller's request;
    ``now`` is the clock's time when the apply began.
    """

    actor: Actor
    approvers: tuple[str, ...]
    now: datetime
    request_id: str | None = None


class Applier(Protocol):
    async def __call__(
        self, request: ApprovalRequest, context: ApplyContext
    ) -> Mapping[str, Any]: ...


class ApplierRegistry:
    """The registered applier of each request kind (at most one per kind)."""

    def __init__(self) -> None:
        self._appliers: dict[str, Applier] = {}

    def register(self, kind: str, applier: Applier, *, replace: bool = False) -> None:
        """Register ``applier`` for ``kind``; twice is ``InvalidInput`` unless ``replace``."""
        if not kind or not kind.strip():
            raise InvalidInput("an applier needs a request kind")
        if kind in self._appliers and not replace:
            raise InvalidInput(f"an applier for kind {kind!r} is already registered")
        self._appliers[kind] = applier

    def get(self, kind: str) -> Applier | None:
        return self._appliers.get(kind)

    def __contains__(self, kind: object) -> bool:
        return kind in self._appliers
