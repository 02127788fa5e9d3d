"""The ``WHERE`` conditions of a store's filtered query, built with their parameters.

Every value becomes a named ``STRING`` (or given) parameter; column names go
through :func:`appkit_domain.identifiers.quote`. An absent filter (``None``, or
no values for ``IN``) adds no condition.
"""

from __future__ import annotations

from collections.abc import Iterable

from appkit_adapters.sql.stores.values import in_list, string
from appkit_adapters.sql.warehouse import SqlParameter
from appkit_domain.identifiers import quote


class Conditions:
    """Conditions to be joined with ``AND`` (``where``), starting from ``TRUE``, and the
    parameters they name (``params``), in the order they were added."""

    def __init__(self) -> None:
        self.where: list[str] = ["TRUE"]
        self.params: list[SqlParameter] = []

    def add(self, condition: str, *params: SqlParameter) -> None:
        """A condition written by the store, naming only ``params`` by ``:name``."""
        self.where.append(condition)
        self.params.extend(params)

    def equal(self, column: str, value: str | None) -> None:
        """``column = :column`` unless ``value`` is ``None``."""
        if value is not None:
            self.add(f"{quote(column)} = :{column}", string(column, value))

    def one_of(self, column: str, values: Iterable[str]) -> None:
        """``column IN (:column0, ...)`` over the sorted ``values``, unless there are none."""
        chosen = sorted(values)
        if chosen:
            markers, found = in_list(column, chosen)
            self.add(f"{quote(column)} IN {markers}", *found)
