"""Filters for listing change requests."""

from __future__ import annotations

from dataclasses import dataclass, field

from appkit_domain.pagination import DEFAULT_PAGE_SIZE, check_page_size
from appkit_domain.writeback.change import ChangeRequest, ChangeStatus


@dataclass(frozen=True)
class ChangeQuery:
    """Every given filter must match; results ordered by ``(created_at, id)``."""

    statuses: frozenset[ChangeStatus] = field(default_factory=frozenset)
    table: str | None = None
    requested_by: str | None = None
    page_size: int = DEFAULT_PAGE_SIZE
    page_token: str | None = None
    unlinked: bool = False
    """Only changes not linked to their table versions yet."""

    def __post_init__(self) -> None:
        check_page_size(self.page_size)
        object.__setattr__(self, "statuses", frozenset(ChangeStatus(s) for s in self.statuses))

    def matches(self, change: ChangeRequest) -> bool:
        return (
            (not self.statuses or change.status in self.statuses)
            and (self.table is None or change.table.full_name.lower() == self.table.lower())
            and (self.requested_by is None or change.requested_by == self.requested_by)
            and (not self.unlinked or change.table_version is None)
        )
