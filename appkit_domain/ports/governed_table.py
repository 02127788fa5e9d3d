"""Governed table port: the column types and rows of the tables write-back changes.

Writes to governed rows are not made here: a step stages a
:class:`~appkit_domain.unit_of_work.RowWrite` and the governance store
commits it with the step (before-image checked, recorded in the
applied-changes ledger). Values come in the canonical JSON form of
:func:`appkit_domain.audit.chain.normalize_json` (DECIMAL, DATE and TIMESTAMP
values as strings) and travel to SQL as bound parameters; identifiers come
validated in a :class:`TableName`.
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
    """What the applied-changes ledger records for one change id.

    ``CONFLICT`` means nothing was written: the row is gone or no longer
    equals the before-image; ``reason`` says which. ``replayed`` is true when
    the outcome was recorded earlier and nothing was written this time.
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
    """The governed tables themselves: their column types and one row by key.

    Contract suite: :class:`appkit_testing.contracts.governed_table.GovernedTableContract`.
    """

    async def read_row(self, table: TableName, key: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """Return the whole row whose key columns equal ``key``, or None if there is none.

        More than one matching row is :class:`~appkit_domain.errors.Conflict`
        (the configured key is not a key).
        """
        ...
