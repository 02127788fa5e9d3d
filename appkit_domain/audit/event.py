"""Audit event values and the query shape the store answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from appkit_domain.errors import InvalidInput
from appkit_domain.pagination import DEFAULT_PAGE_SIZE, check_page_size

JsonValue = Any  # str | int | float | bool | None | list[JsonValue] | dict[str, JsonValue]


@dataclass(frozen=True)
class AuditEvent:
    """One link of a stream's hash chain.

    ``seq`` starts at 1 in each stream. ``prev_hash`` is the previous event's
    ``hash`` (or the stream's genesis hash for ``seq == 1``); ``hash`` is
    :func:`appkit_domain.audit.chain.event_hash` of every other field.
    ``details`` hold JSON values only and have been redacted before hashing.
    """

    id: str
    stream: str
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    details: Mapping[str, JsonValue]
    prev_hash: str
    hash: str
    on_behalf_of: str | None = None
    request_id: str | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise InvalidInput("audit event time must be timezone-aware")
        if not isinstance(self.details, MappingProxyType):
            object.__setattr__(self, "details", MappingProxyType(dict(self.details)))


@dataclass(frozen=True)
class Checkpoint:
    """A stream head saved outside the store: truncation below it is detectable."""

    stream: str
    seq: int
    hash: str


@dataclass(frozen=True)
class AuditQuery:
    """Filters for :meth:`AuditStore.query`; every given filter must match (AND).

    ``since`` is inclusive, ``until`` exclusive. Results are ordered by
    ``(at, stream, seq)``; ``page_token`` continues after the last item served.
    """

    target: str | None = None
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    page_size: int = DEFAULT_PAGE_SIZE
    page_token: str | None = None
    streams: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        check_page_size(self.page_size)
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise InvalidInput(f"{name} must be timezone-aware")

    def matches(self, event: AuditEvent) -> bool:
        """Whether ``event`` passes every filter (pagination aside)."""
        return (
            (self.target is None or event.target == self.target)
            and (self.actor is None or event.actor == self.actor)
            and (self.action is None or event.action == self.action)
            and (self.since is None or event.at >= self.since)
            and (self.until is None or event.at < self.until)
            and (not self.streams or event.stream in self.streams)
        )
