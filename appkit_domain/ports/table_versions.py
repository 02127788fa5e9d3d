"""Table versions port: which version of a governed table a change's write produced, and the
row as any version holds it (time travel).

A table version is what a Delta table (or the local engine) makes for every
commit; versions are numbered 0, 1, 2... per table, so the version a commit
replaced is always the one before the version it produced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from appkit_domain.identifiers import TableName


@dataclass(frozen=True)
class VersionLink:
    """The version a write produced and the one it replaced (``produced - 1``)."""

    produced: int

    def __post_init__(self) -> None:
        if isinstance(self.produced, bool) or self.produced < 1:
            raise ValueError("a write produces version 1 or later")

    @property
    def replaced(self) -> int:
        return self.produced - 1


class TableVersions(Protocol):
    async def version_of_write(
        self,
        table: TableName,
        key: Mapping[str, Any],
        before: Mapping[str, Any],
        values: Mapping[str, Any],
        since: datetime,
    ) -> VersionLink | None:
        """The first version committed at or after ``since`` (give or take clock skew) that
        turned the row at ``key`` from exactly ``before`` (its whole image) into a row holding
        ``values``; None when no such version is visible (not yet, or vacuumed away).

        A governed write lands only while the row equals its whole before-image, so the
        version it produced is the one where that flip happened; a write sent again
        changes nothing and makes no version, so it never moves the answer."""
        ...

    async def row_at(
        self, table: TableName, key: Mapping[str, Any], version: int
    ) -> Mapping[str, Any] | None:
        """The row at ``key`` as ``version`` holds it (canonical JSON values), or None.
        ``NotFound`` when the version cannot be read any more (vacuumed)."""
        ...
