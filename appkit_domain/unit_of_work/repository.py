"""A repository of one aggregate type inside a unit of work: loads, adds, saves.

It keeps an identity map: the first load of an item records the version it
was read at; later loads in the same unit return the state staged since. A
save stages the item one version ahead of what was read, however many
transitions the step made; the store accepts it only if the stored version is
still the one read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from appkit_domain.errors import InvalidInput, NotFound
from appkit_domain.unit_of_work.records import AggregateType, AggregateWrite

if TYPE_CHECKING:
    from appkit_domain.unit_of_work.unit import UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class Tracked:
    """One aggregate the unit touched: as read (``original``, ``None`` if added) and as staged."""

    type: AggregateType[Any]
    original: Any | None
    current: Any

    @property
    def inserted(self) -> bool:
        return self.original is None

    def write(self) -> AggregateWrite | None:
        """The write this aggregate needs at commit, or None when it did not change."""
        if self.original is None:
            return AggregateWrite(self.type, self.current, None)
        if self.current is self.original:
            return None
        return AggregateWrite(
            self.type,
            self.current,
            self.type.version_of(self.original),
            previous=self.original,
        )


def describe(type: AggregateType[Any]) -> str:
    return type.name.replace("_", " ")


class Repository(Generic[T]):
    """Items of ``type`` as seen and changed by one unit of work."""

    def __init__(self, unit: UnitOfWork, type: AggregateType[T]) -> None:
        self._unit = unit
        self.type = type

    def _tracked(self, key: str) -> Tracked | None:
        return self._unit.tracked.get((self.type.name, key))

    def _see(self, item: T) -> T:
        key = self.type.key(item)
        known = self._tracked(key)
        if known is not None:
            return known.current  # type: ignore[no-any-return]
        self._unit.tracked[(self.type.name, key)] = Tracked(self.type, item, item)
        return item

    async def get(self, key: str) -> T:
        """The item as this unit sees it; ``NotFound`` when it is not stored."""
        found = await self.maybe(key)
        if found is None:
            raise NotFound(f"no {describe(self.type)} {key}", details={"id": key})
        return found

    async def maybe(self, key: str) -> T | None:
        """The item as this unit sees it, or None."""
        known = self._tracked(key)
        if known is not None:
            return known.current  # type: ignore[no-any-return]
        item = await self._unit.store.load(self.type, key, fresh=self._unit.fresh)
        return None if item is None else self._see(item)

    async def find(self, index: str, value: str) -> list[T]:
        """Items whose ``index`` equals ``value``: stored ones as this unit sees them, and
        those it added."""
        if index not in self.type.indexes:
            raise InvalidInput(f"{describe(self.type)} has no index {index!r}")
        stored = await self._unit.store.find(self.type, index, value, fresh=self._unit.fresh)
        seen = {self.type.key(item): self._see(item) for item in stored}
        pick = self.type.indexes[index]
        for (name, key), tracked in self._unit.tracked.items():
            if name == self.type.name and key not in seen and pick(tracked.current) == value:
                seen[key] = tracked.current
        matching = [item for item in seen.values() if pick(item) == value]
        return sorted(matching, key=self.type.key)

    async def find_one(self, index: str, value: str) -> T | None:
        found = await self.find(index, value)
        return found[0] if found else None

    def add(self, item: T) -> T:
        """Stage a new item; committing it fails the step if its id or a unique index is taken."""
        if not isinstance(item, self.type.cls):
            raise InvalidInput(f"a {describe(self.type)} repository cannot hold {type(item)}")
        key = self.type.key(item)
        if self._tracked(key) is not None:
            raise InvalidInput(f"{describe(self.type)} {key} is already in this unit of work")
        self._unit.tracked[(self.type.name, key)] = Tracked(self.type, None, item)
        return item

    def save(self, item: T) -> T:
        """Stage ``item`` as the new state of an item this unit loaded or added; returns it as
        it will be stored (one version ahead of the version read)."""
        key = self.type.key(item)
        known = self._tracked(key)
        if known is None:
            raise InvalidInput(
                f"{describe(self.type)} {key} must be loaded in this unit of work before it "
                "is saved"
            )
        if known.original is None:
            staged = item
        else:
            staged = self.type.at_version(item, self.type.version_of(known.original) + 1)
        self._unit.tracked[(self.type.name, key)] = Tracked(self.type, known.original, staged)
        return staged
