"""What a unit of work hands to storage when it commits, and how storage refuses a step.

A governed step reads what it needs, lets the aggregates apply the rules and
stages what changed. :class:`StepCommit` is the whole of it: the aggregate
writes (version-checked updates and inserts), the governed-row writes
(before-image-checked), the audit event drafts and the step's own record. A
:class:`~appkit_domain.ports.governance_store.GovernanceStore` makes a batch
of them durable, each step all or nothing; a step it cannot commit (a version
moved, a row no longer equals its before-image, a unique key is taken) is
named in :class:`StepsRejected` and nothing of it is stored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from appkit_domain.audit.drafts import EventDraft
from appkit_domain.audit.event import AuditEvent
from appkit_domain.errors import AppkitError, Conflict, InvalidInput
from appkit_domain.identifiers import TableName

T = TypeVar("T")


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class AggregateType(Generic[T]):
    """A kind of versioned aggregate that units of work load and save.

    ``name`` is the storage name (one table per type). ``key`` gives an
    item's id. ``indexes`` name the lookups a step may make besides the id
    (``{"fingerprint": lambda e: e.fingerprint}``); ``unique`` lists the
    indexes whose value no two stored items share. Every aggregate carries
    an integer ``version`` attribute that storage compares on save.
    """

    name: str
    cls: type[T]
    key: Callable[[T], str]
    indexes: Mapping[str, Callable[[T], str | None]] = field(default_factory=dict)
    unique: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("_", "").isalnum():
            raise InvalidInput(f"aggregate type name {self.name!r} must be letters, digits, _")
        missing = [name for name in self.unique if name not in self.indexes]
        if missing:
            raise InvalidInput(f"unique index {missing[0]!r} of {self.name} is not declared")
        object.__setattr__(self, "indexes", MappingProxyType(dict(self.indexes)))

    def version_of(self, item: T) -> int:
        version = getattr(item, "version", None)
        if not isinstance(version, int) or isinstance(version, bool):
            raise InvalidInput(f"a {self.name} needs an integer version")
        return version

    def at_version(self, item: T, version: int) -> T:
        if getattr(item, "version", None) == version:
            return item
        return dataclasses.replace(item, version=version)  # type: ignore[type-var]

    def index_values(self, item: T, names: Sequence[str]) -> dict[str, str | None]:
        return {name: self.indexes[name](item) for name in names}


@dataclass(frozen=True)
class AggregateWrite:
    """One aggregate's new state in a step.

    ``expected_version`` is the version the step read (the stored one must
    still be it); ``None`` makes this an insert that no stored item with the
    same key or unique index values may precede. ``previous`` is the state the
    step read (``None`` for an insert), which a store without atomic commits
    restores should the step have to be undone.
    """

    type: AggregateType[Any]
    item: Any
    expected_version: int | None
    previous: Any | None = None

    @property
    def key(self) -> str:
        return self.type.key(self.item)

    @property
    def version(self) -> int:
        return self.type.version_of(self.item)

    @property
    def is_insert(self) -> bool:
        return self.expected_version is None


@dataclass(frozen=True)
class RowWrite:
    """Set ``values`` on the row of a governed table at ``key``, only while it equals ``before``.

    ``before`` is the whole row as a change captured it (canonical JSON
    values); ``values`` are the new values and the row's audit columns.
    ``change_id`` names the change this write belongs to: the applied-changes
    ledger records it in the same commit. ``stamp`` names the columns of
    ``values`` that only this write sets (the change id, its approval, its
    time): a store that cannot commit atomically tells its own earlier write
    from anyone else's by them, and refuses a write that has none.
    """

    change_id: str
    table: TableName
    key: Mapping[str, Any]
    before: Mapping[str, Any]
    values: Mapping[str, Any]
    stamp: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.key or not self.values:
            raise InvalidInput("a row write needs a key and at least one value")
        for name in ("key", "before", "values"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(self, "stamp", tuple(self.stamp))
        unknown = [c for c in self.stamp if c not in self.values]
        if unknown:
            raise InvalidInput(f"stamp column {unknown[0]!r} is not among the values written")

    @property
    def after(self) -> dict[str, Any]:
        return {**self.before, **self.values}


@dataclass(frozen=True)
class StepRecord:
    """What a committed step leaves behind for retries: its id and its outcome.

    ``idempotency_key`` (with ``principal``) is the client's key for the
    request the step served; ``request_hash`` fingerprints that request so a
    key reused for a different request is refused. ``outcome`` is JSON that
    lets a retry answer as the first call did (e.g. the ids it created).
    """

    id: str
    name: str
    at: datetime
    principal: str | None = None
    idempotency_key: str | None = None
    request_hash: str | None = None
    outcome: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True)
class StepCommit:
    """Everything one step changed, to be made durable all together or not at all."""

    step: StepRecord
    writes: tuple[AggregateWrite, ...] = ()
    rows: tuple[RowWrite, ...] = ()
    events: tuple[EventDraft, ...] = ()

    @property
    def changes_state(self) -> bool:
        """Whether the step writes more than audit events (a step record is kept for it)."""
        return bool(self.writes or self.rows)


@dataclass(frozen=True)
class CommitBatch:
    """Steps committed together (group commit), with their audit events already chained.

    ``events`` hold every step's events in step order; ``commit_id`` is unique
    per attempt, so a store that sent the batch and lost the answer can tell
    whether it landed.
    """

    commit_id: str
    steps: tuple[StepCommit, ...]
    events: tuple[AuditEvent, ...]


class StepsRejected(Conflict):
    """Some steps of a batch could not commit; nothing of them was stored.

    ``rejected`` maps a step's index in the batch to its error (usually
    :class:`~appkit_domain.errors.StaleVersion`: its state moved and it must
    run again on fresh state). A store that commits atomically stores nothing
    of the batch either; the other steps are sent again without them.
    """

    code = "steps_rejected"

    def __init__(self, rejected: Mapping[int, AppkitError]) -> None:
        if not rejected:
            raise InvalidInput("StepsRejected needs at least one rejected step")
        first = min(rejected)
        super().__init__(f"step {first} of the batch was refused: {rejected[first].message}")
        self.rejected: Mapping[int, AppkitError] = MappingProxyType(dict(rejected))
