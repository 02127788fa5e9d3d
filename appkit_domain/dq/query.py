"""Filters for listing data-quality exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from appkit_domain.dq.exception import DqException
from appkit_domain.dq.severity import Severity
from appkit_domain.dq.status import DqStatus
from appkit_domain.errors import InvalidInput
from appkit_domain.pagination import DEFAULT_PAGE_SIZE, check_page_size


@dataclass(frozen=True)
class DqQuery:
    """Every given filter must match (AND); empty sets mean "any".

    ``overdue_at``: only exceptions still active (not RESOLVED/WAIVED) whose
    ``due_at`` is before that time. ``waiver_ends_by``: only WAIVED exceptions
    whose waiver ends at or before that time. Results are ordered by
    ``(detected_at, id)``; ``page_token`` continues after the last item served.
    """

    statuses: frozenset[DqStatus] = field(default_factory=frozenset)
    severities: frozenset[Severity] = field(default_factory=frozenset)
    table: str | None = None
    owner: str | None = None
    check: str | None = None
    overdue_at: datetime | None = None
    waiver_ends_by: datetime | None = None
    page_size: int = DEFAULT_PAGE_SIZE
    page_token: str | None = None

    def __post_init__(self) -> None:
        check_page_size(self.page_size)
        object.__setattr__(self, "statuses", frozenset(DqStatus(s) for s in self.statuses))
        object.__setattr__(
            self, "severities", frozenset(Severity.parse(s) for s in self.severities)
        )
        for name in ("overdue_at", "waiver_ends_by"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise InvalidInput(f"{name} must be timezone-aware")

    def matches(self, item: DqException) -> bool:
        """Whether ``item`` passes every filter (pagination aside)."""
        return (
            (not self.statuses or item.status in self.statuses)
            and (not self.severities or item.severity in self.severities)
            and (self.table is None or item.table.full_name.lower() == self.table.lower())
            and (self.owner is None or item.owner == self.owner)
            and (self.check is None or item.check == self.check)
            and (self.overdue_at is None or item.is_overdue(self.overdue_at))
            and (
                self.waiver_ends_by is None
                or (
                    item.status is DqStatus.WAIVED
                    and item.waiver is not None
                    and item.waiver.until <= self.waiver_ends_by
                )
            )
        )
