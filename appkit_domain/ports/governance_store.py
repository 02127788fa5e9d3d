"""Governance store port: where units of work read aggregates and commit steps.

One store holds every governance table of an app (approval requests,
change requests, overrides, exceptions, users' own records, the audit log,
the step records). Contract suite:
:class:`appkit_testing.contracts.governance_store.GovernanceStoreContract`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from appkit_domain.audit.event import Checkpoint
from appkit_domain.unit_of_work.records import AggregateType, CommitBatch, StepCommit, StepRecord

T = TypeVar("T")


class GovernanceStore(Protocol):
    """Versioned aggregates, governed rows and audit events, committed one step at a time.

    Reads may be served from a short-lived cache unless ``fresh`` is set:
    every write they lead to is version-checked, so a stale read costs a
    rejected step, which then reads again with ``fresh=True``.
    """

    max_batch_cost: int
    """The most :meth:`cost` one :meth:`write` takes (e.g. statement parameters)."""

    def cost(self, step: StepCommit) -> int:
        """What ``step`` adds to a batch, in the unit of :attr:`max_batch_cost`."""
        ...

    async def load(self, type: AggregateType[T], key: str, *, fresh: bool = False) -> T | None:
        """The stored item of ``type`` with id ``key``, or None.

        An item a half-done step is still changing (possible only without
        atomic commits) raises :class:`~appkit_domain.errors.StaleVersion`.
        """
        ...

    async def find(
        self, type: AggregateType[T], index: str, value: str, *, fresh: bool = False
    ) -> list[T]:
        """The stored items of ``type`` whose index ``index`` equals ``value``, by id."""
        ...

    async def head(self, stream: str) -> Checkpoint | None:
        """The last stored audit event of ``stream`` as a checkpoint, or None."""
        ...

    async def write(self, batch: CommitBatch) -> None:
        """Make every step of ``batch`` durable with the batch's audit events.

        Each step commits all or nothing. A step whose expected versions, unique
        indexes, governed rows' before-images or idempotency key do not hold is
        refused: raise :class:`~appkit_domain.unit_of_work.records.StepsRejected`
        naming it, with nothing of it (and, on a store that commits atomically,
        nothing of the batch) stored. An audit event whose ``(stream, seq)`` is
        taken is :class:`~appkit_domain.errors.Conflict`. Safe to call again with
        the same batch after an unknown outcome: a batch that landed is not
        written twice. Returns only once everything is durable.
        """
        ...

    async def recorded_step(self, principal: str, idempotency_key: str) -> StepRecord | None:
        """The committed step that served ``principal``'s request with this key, or None."""
        ...

    async def unfinished(self, lease_ended_by: datetime) -> Sequence[StepCommit]:
        """Steps left half-done whose lease ended by then (only stores without atomic commits
        leave any): each as it was planned, to be finished or undone."""
        ...

    async def take_over(self, step_id: str) -> bool:
        """Take the lease of a half-done step whose lease ended (renewing it); False when
        another recovery took it first."""
        ...

    async def events_stored(self, step: StepCommit) -> bool:
        """Whether every audit event of ``step`` is stored (then the step committed)."""
        ...

    async def settle(self, step_id: str, *, committed: bool) -> None:
        """Record that a half-done step is finished (``committed``) or was undone."""
        ...
