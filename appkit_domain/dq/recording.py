"""What recording a failure did: the outcomes ingest reports."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from appkit_domain.dq.exception import DqException


class Outcome(str, enum.Enum):
    """What recording one failure did."""

    CREATED = "created"
    UNCHANGED = "unchanged"
    SEEN_AGAIN = "seen_again"
    REOPENED = "reopened"
    STILL_WAIVED = "still_waived"


@dataclass(frozen=True)
class Recorded:
    exception: DqException
    outcome: Outcome


@dataclass(frozen=True)
class IngestReport:
    """Per failure, in input order, the exception it maps to and what happened.

    ``rejected`` lists the check-result rows that could not be read, as
    ``(row index, reason)``; they changed nothing.
    """

    results: list[Recorded] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)
