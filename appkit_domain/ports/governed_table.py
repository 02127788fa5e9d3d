"""Governed table port: read a row and apply an approved change to it, exactly once.

Implementations write as the app's service principal. Values come in the
canonical JSON form of :func:`appkit_domain.audit.chain.normalize_json`
(DECIMAL, DATE and TIMESTAMP values as strings) and must travel to SQL as
bound parameters; identifiers come validated in a :class:`TableName` and
column names already checked by the write-back rules.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from appkit_domain.identifiers import TableName


class ApplyStatus(str, enum.Enum):
    APPLIED = "APPLIED"
    CONFLICT = "CONFLICT"


@dataclass(frozen=True)
class ApplyOutcome:
    """What :meth:`GovernedTable.apply_change` did for one change id.

    ``CONFLICT`` means nothing was written: the row is gone or no longer
    equals the before-image; ``reason`` says which. ``replayed`` is true when
    the outcome was recorded by an earlier call with the same change id and
    this call wrote nothing.
    """

    change_id: str
    status: ApplyStatus
    reason: str | None = None
    replayed: bool = False

    @property
    def applied(self) -> bool:
        return self.status is ApplyStatus.APPLIED


class TableSchemaSource(Protocol):
    """Column types of governed tables, as the catalog reports them now."""

    async def column_types(self, table: TableName) -> Mapping[str, str]:
        """Return ``{column: Databricks type name}`` (e.g. ``"STRING"``, ``"DECIMAL(10,2)"``).

        An unknown table is :class:`~appkit_domain.errors.NotFound`.
        """
        ...


class GovernedTable(TableSchemaSource, Protocol):
    """The governed tables themselves: read one row, apply one approved change once.

    Contract suite: :class:`appkit_testing.contracts.governed_table.GovernedTableContract`.
    """

    async def read_row(self, table: TableName, key: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """Return the whole row whose key columns equal ``key``, or None if there is none.

        More than one matching row is :class:`~appkit_domain.errors.Conflict`
        (the configured key is not a key).
        """
        ...

    async def apply_change(
        self,
        change_id: str,
        table: TableName,
        key: Mapping[str, Any],
        before: Mapping[str, Any],
        after: Mapping[str, Any],
        audit_values: Mapping[str, Any],
    ) -> ApplyOutcome:
        """Set ``after`` and ``audit_values`` on the row at ``key`` iff it still equals ``before``.

        "Equals" compares the canonical JSON form of every column named in
        ``before``. Atomic: either the whole update lands or nothing does. At
        most once per ``change_id``: the first call's outcome is recorded
        durably with the write, and every later call (also concurrent ones)
        returns it with ``replayed=True`` and writes nothing.
        """
        ...
