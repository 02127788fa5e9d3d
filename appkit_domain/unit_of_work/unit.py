"""The unit of work: one governed step, committed all together or not at all.

Used as ``async with units.begin("approval.decide") as uow:``; a step reads
through ``uow.repo(TYPE)``, stages new states, governed-row writes
(:meth:`UnitOfWork.write_row`) and audit events (:meth:`UnitOfWork.record`),
then calls :meth:`UnitOfWork.commit`. Leaving the block without committing
(or by an exception) rolls everything back: nothing was written, because
nothing is written before the commit. The commit hands the step to the
writer's :class:`~appkit_domain.unit_of_work.commits.Commits`, which chains
its audit events and makes it durable with one store write (shared with
concurrent steps). No clock, environment or network is read here except
through the ports given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from appkit_domain.audit.chain import normalize_json
from appkit_domain.audit.drafts import EventDraft
from appkit_domain.audit.event import AuditEvent
from appkit_domain.audit.redaction import Redactor
from appkit_domain.errors import InvalidInput, InvalidTransition
from appkit_domain.ports.clock import Clock
from appkit_domain.ports.ids import IdGenerator
from appkit_domain.unit_of_work.records import (
    AggregateType,
    RowWrite,
    StepCommit,
    StepRecord,
)
from appkit_domain.unit_of_work.repository import Repository, Tracked

if TYPE_CHECKING:
    from appkit_domain.ports.governance_store import GovernanceStore
    from appkit_domain.unit_of_work.commits import Commits

T = TypeVar("T")


class UnitOfWork:
    """Reads and staged changes of one step (see the module docstring).

    ``fresh`` makes every read bypass the store's cache (set when a step runs
    again after its commit was refused). ``name`` names the step in its record
    (``"writeback.propose"``); ``idempotency_key`` and ``request_hash`` are
    recorded with it for retried requests (see
    :meth:`~appkit_domain.unit_of_work.units.UnitsOfWork.run`).
    """

    def __init__(
        self,
        store: GovernanceStore,
        commits: Commits,
        clock: Clock,
        ids: IdGenerator,
        *,
        name: str,
        redactor: Redactor | None = None,
        principal: str | None = None,
        idempotency_key: str | None = None,
        request_hash: str | None = None,
        fresh: bool = False,
    ) -> None:
        if not name:
            raise InvalidInput("a unit of work needs a step name")
        self.store = store
        self.clock = clock
        self.ids = ids
        self.name = name
        self.fresh = fresh
        self.step_id = ids.new_id("stp-")
        self.principal = principal
        self.idempotency_key = idempotency_key
        self.request_hash = request_hash
        self.tracked: dict[tuple[str, str], Tracked] = {}
        self.events: list[EventDraft] = []
        self.rows: list[RowWrite] = []
        self.committed: tuple[AuditEvent, ...] | None = None
        self._commits = commits
        self._redactor = redactor or Redactor()
        self._closed = False

    # -- the block -----------------------------------------------------------------------------

    async def __aenter__(self) -> UnitOfWork:
        if self._closed:
            raise InvalidTransition("this unit of work is finished; begin a new one")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.committed is None:
            self.rollback()
        self._closed = True

    def rollback(self) -> None:
        """Forget everything staged; nothing of it was written."""
        self.tracked.clear()
        self.events.clear()
        self.rows.clear()

    # -- staging -------------------------------------------------------------------------------

    def repo(self, type: AggregateType[T]) -> Repository[T]:
        """The repository of ``type`` in this unit."""
        self._require_open()
        return Repository(self, type)

    def write_row(self, row: RowWrite) -> None:
        """Stage a before-image-checked write of a governed row (see :class:`RowWrite`)."""
        self._require_open()
        self.rows.append(row)

    def record(
        self,
        *,
        actor: str,
        action: str,
        target: str,
        details: Mapping[str, Any] | None = None,
        on_behalf_of: str | None = None,
        request_id: str | None = None,
    ) -> EventDraft:
        """Stage an audit event; it is chained and stored with the step, or not at all.

        ``details`` are redacted (tokens, secret values) and normalised to JSON now.
        """
        self._require_open()
        for name, value in (("actor", actor), ("action", action), ("target", target)):
            if not value:
                raise InvalidInput(f"an audit event needs a non-empty {name}")
        draft = EventDraft(
            id=self.ids.new_id("evt-"),
            at=self.clock.now(),
            actor=actor,
            on_behalf_of=on_behalf_of,
            action=action,
            target=target,
            request_id=request_id,
            details=normalize_json(self._redactor.redact(details or {})),
        )
        self.events.append(draft)
        return draft

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo what the block staged when it raises (the exception propagates)."""
        tracked, events, rows = dict(self.tracked), len(self.events), len(self.rows)
        try:
            yield
        except BaseException:
            self.tracked = tracked
            del self.events[events:]
            del self.rows[rows:]
            raise

    # -- commit --------------------------------------------------------------------------------

    def staged(self, outcome: Mapping[str, Any] | None = None) -> StepCommit:
        """What :meth:`commit` would make durable now."""
        writes = tuple(w for w in (t.write() for t in self.tracked.values()) if w is not None)
        step = StepRecord(
            id=self.step_id,
            name=self.name,
            at=self.clock.now(),
            principal=self.principal,
            idempotency_key=self.idempotency_key,
            request_hash=self.request_hash,
            outcome=normalize_json(dict(outcome or {}), "outcome"),
        )
        return StepCommit(step, writes, tuple(self.rows), tuple(self.events))

    async def commit(self, outcome: Mapping[str, Any] | None = None) -> tuple[AuditEvent, ...]:
        """Make everything staged durable, all or nothing; returns the step's chained events.

        ``outcome`` (JSON) is kept with the step's record for retried requests.
        A refused step raises :class:`~appkit_domain.errors.StaleVersion` (or
        the error the store gave) and nothing of it is stored; an unknown
        outcome raises :class:`~appkit_domain.errors.Unavailable`.
        """
        self._require_open()
        step = self.staged(outcome)
        if not step.changes_state and not step.events:
            self.committed = ()
            return ()
        self.committed = await self._commits.commit(step)
        return self.committed

    def _require_open(self) -> None:
        if self._closed or self.committed is not None:
            raise InvalidTransition("this unit of work is finished; begin a new one")
