"""An in-memory governance store: every table in dicts, a whole batch committed in one swap.

Tables are the other fakes (``InMemoryApprovalStore().requests`` and so on),
attached with :meth:`InMemoryGovernanceStore.hold`; a test reads them as
before. :meth:`write` checks every step of a batch in order against the state
the earlier steps of the batch leave (as one atomic block would), then either
refuses the steps that do not hold (``StepsRejected``, nothing stored) or
stores the audit events and every state change with no await in between.

Faults for tests: :meth:`fail_next_write` refuses a batch as an unreachable
store would (``Unavailable``, nothing stored); :meth:`lose_next_answer`
stores the batch and then raises ``Unavailable``, as a warehouse whose
answer was lost after it committed. ``writes`` counts write calls and
``steps`` holds every committed step's record by id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from appkit_domain.audit.chain import normalize_json
from appkit_domain.audit.event import Checkpoint
from appkit_domain.errors import (
    AppkitError,
    InvalidInput,
    NotFound,
    StaleVersion,
    Unavailable,
)
from appkit_domain.ports.governance_store import GovernanceStore
from appkit_domain.unit_of_work import (
    AggregateType,
    AggregateWrite,
    CommitBatch,
    RowWrite,
    StepCommit,
    StepRecord,
    StepsRejected,
)
from appkit_testing.fakes.audit_store import InMemoryAuditStore
from appkit_testing.fakes.governed_table import InMemoryGovernedTable

T = TypeVar("T")


class MemoryTable(Protocol):
    """What a fake store offers the governance store: committed items, and installing one."""

    def stored(self, key: str) -> Any: ...

    def all(self) -> list[Any]: ...

    def put(self, item: Any) -> None: ...


class InMemoryRecords:
    """A table of any aggregate type (used for types without a fake store of their own)."""

    def __init__(self) -> None:
        self.rows: dict[str, Any] = {}
        self.saves = 0
        self._key: Callable[[Any], str] | None = None

    def keyed_by(self, key: Callable[[Any], str]) -> InMemoryRecords:
        self._key = key
        return self

    def stored(self, key: str) -> Any:
        return self.rows.get(key)

    def all(self) -> list[Any]:
        return list(self.rows.values())

    def put(self, item: Any) -> None:
        assert self._key is not None
        self.rows[self._key(item)] = item
        self.saves += 1


class _Overlay:
    """The state a batch's earlier steps leave, over the committed tables."""

    def __init__(self, store: InMemoryGovernanceStore) -> None:
        self.store = store
        self.items: dict[tuple[str, str], Any] = {}
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}
        self.keys: set[tuple[str, str]] = set()

    def item(self, type: AggregateType[Any], key: str) -> Any:
        found = self.items.get((type.name, key))
        if found is not None:
            return found
        return self.store.table(type).stored(key)

    def all(self, type: AggregateType[Any]) -> Iterable[Any]:
        current = {type.key(item): item for item in self.store.table(type).all()}
        for (name, key), item in self.items.items():
            if name == type.name:
                current[key] = item
        return current.values()


class InMemoryGovernanceStore(GovernanceStore):
    max_batch_cost = 10**9

    def __init__(
        self,
        audit: InMemoryAuditStore,
        governed: InMemoryGovernedTable | None = None,
    ) -> None:
        self.audit = audit
        self.governed = governed
        self.tables: dict[str, MemoryTable] = {}
        self.steps: dict[str, StepRecord] = {}
        self.by_key: dict[tuple[str, str], StepRecord] = {}
        self.writes = 0
        self.landed: set[str] = set()
        self._lock = asyncio.Lock()
        self._fail_next: list[str | None] = []
        self._lose_next = 0

    # -- set-up and faults ---------------------------------------------------------------------

    def hold(self, type: AggregateType[Any], table: MemoryTable | None = None) -> MemoryTable:
        """Keep items of ``type`` in ``table`` (a fake store, or a new generic table)."""
        held = table if table is not None else InMemoryRecords().keyed_by(type.key)
        self.tables[type.name] = held
        return held

    def table(self, type: AggregateType[Any]) -> MemoryTable:
        try:
            return self.tables[type.name]
        except KeyError:
            raise NotFound(f"no table holds {type.name}") from None

    def fail_next_write(self, action: str | None = None) -> None:
        """Refuse the next batch (holding an audit event ``action``, if given) with
        ``Unavailable``, storing nothing; each call arms one refusal."""
        self._fail_next.append(action)

    def lose_next_answer(self, count: int = 1) -> None:
        """Commit the next ``count`` batches, then raise ``Unavailable`` as a lost answer."""
        self._lose_next += count

    # -- reads ---------------------------------------------------------------------------------

    def cost(self, step: StepCommit) -> int:
        return 1

    async def load(self, type: AggregateType[T], key: str, *, fresh: bool = False) -> T | None:
        await asyncio.sleep(0)
        found: T | None = self.table(type).stored(key)
        return found

    async def find(
        self, type: AggregateType[T], index: str, value: str, *, fresh: bool = False
    ) -> list[T]:
        await asyncio.sleep(0)
        pick = type.indexes[index]
        items: list[T] = [item for item in self.table(type).all() if pick(item) == value]
        return sorted(items, key=type.key)

    async def head(self, stream: str) -> Checkpoint | None:
        return await self.audit.head(stream)

    async def recorded_step(self, principal: str, idempotency_key: str) -> StepRecord | None:
        await asyncio.sleep(0)
        return self.by_key.get((principal, idempotency_key))

    async def unfinished(self, lease_ended_by: datetime) -> Sequence[StepCommit]:
        return ()  # every write is one swap: nothing is ever left half-done

    async def take_over(self, step_id: str) -> bool:
        raise NotFound(f"no half-done step {step_id}")

    async def events_stored(self, step: StepCommit) -> bool:
        stored = {event.id for event in self.audit.rows}
        return all(draft.id in stored for draft in step.events)

    async def settle(self, step_id: str, *, committed: bool) -> None:
        if step_id not in self.steps:
            raise NotFound(f"no half-done step {step_id}")

    # -- the commit ----------------------------------------------------------------------------

    async def write(self, batch: CommitBatch) -> None:
        await asyncio.sleep(0)
        async with self._lock:
            self.writes += 1
            for fault in list(self._fail_next):
                if fault is None or any(e.action == fault for e in batch.events):
                    self._fail_next.remove(fault)
                    raise Unavailable("the governance store cannot be reached")
            if batch.commit_id in self.landed:
                return  # sent again after its answer was lost: it is already stored
            overlay = _Overlay(self)
            rejected: dict[int, AppkitError] = {}
            for index, step in enumerate(batch.steps):
                error = self._check(overlay, step)
                if error is not None:
                    rejected[index] = error
            if rejected:
                raise StepsRejected(rejected)
            await self.audit.append(batch.events)  # Conflict or Unavailable: nothing else stored
            self._install(overlay, batch.steps)
            self.landed.add(batch.commit_id)
            if self._lose_next:
                self._lose_next -= 1
                raise Unavailable("the answer to this commit was lost")

    def _check(self, overlay: _Overlay, step: StepCommit) -> AppkitError | None:
        """Stage ``step`` on ``overlay``, or return why it cannot commit (overlay untouched)."""
        items: dict[tuple[str, str], Any] = {}
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        record = step.step
        if record.idempotency_key is not None and record.principal is not None:
            taken = (record.principal, record.idempotency_key)
            if taken in self.by_key or taken in overlay.keys:
                return StaleVersion("this idempotency key was used by another step")
        for write in step.writes:
            error = self._check_write(overlay, items, write)
            if error is not None:
                return error
            items[(write.type.name, write.key)] = write.item
        for row_write in step.rows:
            error, after = self._check_row(overlay, rows, row_write)
            if error is not None:
                return error
            rows[(row_write.table.full_name, row_write.change_id)] = after
        overlay.items.update(items)
        overlay.rows.update(rows)
        if record.idempotency_key is not None and record.principal is not None:
            overlay.keys.add((record.principal, record.idempotency_key))
        return None

    def _check_write(
        self,
        overlay: _Overlay,
        staged: dict[tuple[str, str], Any],
        write: AggregateWrite,
    ) -> AppkitError | None:
        name = f"{write.type.name} {write.key}"
        current = staged.get((write.type.name, write.key)) or overlay.item(write.type, write.key)
        if write.is_insert:
            if current is not None:
                return StaleVersion(f"{name} already exists")
            for index in write.type.unique:
                value = write.type.indexes[index](write.item)
                if value is None:
                    continue
                others = [*overlay.all(write.type), *staged.values()]
                if any(
                    write.type.key(other) != write.key
                    and isinstance(other, write.type.cls)
                    and write.type.indexes[index](other) == value
                    for other in others
                ):
                    return StaleVersion(f"another {write.type.name} has this {index}")
            return None
        if current is None:
            return StaleVersion(f"{name} no longer exists")
        stored_version = write.type.version_of(current)
        if stored_version != write.expected_version:
            return StaleVersion(
                f"{name} is at version {stored_version}, not {write.expected_version}"
            )
        if write.version != stored_version + 1:
            return InvalidInput(f"{name} must be saved one version ahead of the version read")
        return None

    def _check_row(
        self,
        overlay: _Overlay,
        staged: dict[tuple[str, str], dict[str, Any]],
        write: RowWrite,
    ) -> tuple[AppkitError | None, dict[str, Any]]:
        if self.governed is None:
            return InvalidInput("this store holds no governed tables"), {}
        taken = {change for _table, change in overlay.rows} | {c for _t, c in staged}
        if write.change_id in self.governed.outcomes or write.change_id in taken:
            return StaleVersion(f"change {write.change_id} already wrote its row"), {}
        found = self.governed.matching(write.table, write.key)
        if len(found) != 1:
            return StaleVersion(f"the row of {write.table.full_name} is gone"), {}
        row = dict(found[0])
        for (table, _change), image in {**overlay.rows, **staged}.items():
            if table == write.table.full_name and _same_key(image, write.key):
                row = dict(image)
        moved = [
            column
            for column, value in write.before.items()
            if normalize_json(row.get(column)) != normalize_json(value)
        ]
        if moved:
            return StaleVersion(
                f"the row of {write.table.full_name} moved ({', '.join(moved)})"
            ), {}
        return None, {**row, **dict(write.values)}

    def _install(self, overlay: _Overlay, steps: Sequence[StepCommit]) -> None:
        for step in steps:
            for write in step.writes:
                self.table(write.type).put(write.item)
            for row_write in step.rows:
                assert self.governed is not None
                self.governed.install(row_write)
            if step.changes_state:
                self.steps[step.step.id] = step.step
                if step.step.idempotency_key is not None and step.step.principal is not None:
                    self.by_key[(step.step.principal, step.step.idempotency_key)] = step.step


def _same_key(row: dict[str, Any], key: Any) -> bool:
    return all(normalize_json(row.get(c)) == normalize_json(v) for c, v in dict(key).items())
