"""Write-back configuration: which tables and columns may change, and to what.

Everything not configured is refused. :meth:`WritebackRules.check_request`
runs on the request alone, before any port is called, and names the table
or column it refuses.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from appkit_domain.errors import InvalidInput
from appkit_domain.identifiers import TableName, check_identifier


@dataclass(frozen=True)
class ValueRule:
    """Configured limits on the values a writable column may take.

    ``allowed``: the value must be one of these. ``pattern``: a string value
    must match this regular expression entirely. ``minimum``/``maximum``:
    inclusive bounds on a numeric value. ``max_length``: longest string.
    ``not_null``: ``None`` is refused.
    """

    allowed: frozenset[Any] | None = None
    pattern: str | None = None
    minimum: float | Decimal | None = None
    maximum: float | Decimal | None = None
    max_length: int | None = None
    not_null: bool = False

    def __post_init__(self) -> None:
        if self.allowed is not None and not isinstance(self.allowed, frozenset):
            object.__setattr__(self, "allowed", frozenset(self.allowed))
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise InvalidInput(f"value rule pattern {self.pattern!r} is invalid") from exc
        if self.max_length is not None and self.max_length < 0:
            raise InvalidInput("max_length must not be negative")
        if (
            self.minimum is not None
            and self.maximum is not None
            and Decimal(str(self.minimum)) > Decimal(str(self.maximum))
        ):
            raise InvalidInput("a value rule minimum must not exceed its maximum")

    def check(self, table: TableName, column: str, value: Any) -> None:
        """Raise ``InvalidInput`` naming ``column`` when ``value`` breaks this rule."""

        def refuse(why: str) -> InvalidInput:
            return InvalidInput(
                f"value for column {column!r} of {table.full_name} {why}",
                details={"table": table.full_name, "column": column},
            )

        if value is None:
            if self.not_null:
                raise refuse("must not be null")
            return
        if self.allowed is not None and value not in self.allowed:
            shown = ", ".join(sorted(repr(v) for v in self.allowed))
            raise refuse(f"must be one of {shown}")
        if self.pattern is not None and (
            not isinstance(value, str) or not re.fullmatch(self.pattern, value)
        ):
            raise refuse(f"must match {self.pattern!r}")
        if self.max_length is not None and isinstance(value, str) and len(value) > self.max_length:
            raise refuse(f"must be at most {self.max_length} characters")
        if self.minimum is not None or self.maximum is not None:
            number = _number(value)
            if number is None:
                raise refuse("must be a number")
            if self.minimum is not None and number < Decimal(str(self.minimum)):
                raise refuse(f"must be at least {self.minimum}")
            if self.maximum is not None and number > Decimal(str(self.maximum)):
                raise refuse(f"must be at most {self.maximum}")


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (int, float, Decimal, str)):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


@dataclass(frozen=True)
class AuditColumns:
    """Names of the row-level audit columns; each is filled only if the table has it.

    ``updated_by`` gets the maker, ``updated_at`` the apply time,
    ``approved_by`` the checkers (comma-separated ids), ``approval_id`` the
    approval request and ``change_id`` the change request. ``None`` turns a
    column off.
    """

    updated_by: str | None = "updated_by"
    updated_at: str | None = "updated_at"
    approved_by: str | None = "approved_by"
    approval_id: str | None = "approval_id"
    change_id: str | None = None

    def __post_init__(self) -> None:
        for name in self.names():
            check_identifier(name, "audit column")

    def names(self) -> list[str]:
        values = (self.updated_by, self.updated_at, self.approved_by, self.approval_id)
        return [n for n in (*values, self.change_id) if n is not None]


@dataclass(frozen=True)
class TableRules:
    """What may change in one governed table.

    ``key_columns`` identify one row and must all be given, and only they;
    ``writable`` maps each writable column to its :class:`ValueRule`;
    ``approval_required`` says whether a change waits for maker-checker
    approval before it is applied.
    """

    table: TableName
    key_columns: tuple[str, ...]
    writable: Mapping[str, ValueRule]
    approval_required: bool = True
    audit_columns: AuditColumns = field(default_factory=AuditColumns)

    def __post_init__(self) -> None:
        if isinstance(self.key_columns, str) or not self.key_columns:
            raise InvalidInput(f"{self.table.full_name} needs at least one key column")
        object.__setattr__(self, "key_columns", tuple(self.key_columns))
        for column in (*self.key_columns, *self.writable):
            check_identifier(column, "column")
        if not self.writable:
            raise InvalidInput(f"{self.table.full_name} needs at least one writable column")
        clash = set(self.key_columns) & set(self.writable)
        if clash:
            raise InvalidInput(f"key columns cannot be writable: {', '.join(sorted(clash))}")
        audit_clash = set(self.audit_columns.names()) & (set(self.writable) | set(self.key_columns))
        if audit_clash:
            raise InvalidInput(
                f"audit columns cannot be keys or writable: {', '.join(sorted(audit_clash))}"
            )
        object.__setattr__(self, "writable", MappingProxyType(dict(self.writable)))


class WritebackRules:
    """The configured governed tables, by full name (case-insensitive)."""

    def __init__(self, tables: Iterable[TableRules]) -> None:
        rules: dict[str, TableRules] = {}
        for table_rules in tables:
            name = table_rules.table.full_name.lower()
            if name in rules:
                raise InvalidInput(f"{name} is configured twice")
            rules[name] = table_rules
        self._tables: Mapping[str, TableRules] = MappingProxyType(rules)

    @property
    def tables(self) -> list[TableName]:
        return [rules.table for rules in self._tables.values()]

    def for_table(self, table: TableName | str) -> TableRules:
        """The rules of ``table``; ``InvalidInput`` naming it when it is not allowed."""
        name = table.full_name if isinstance(table, TableName) else str(table)
        found = self._tables.get(name.lower())
        if found is None:
            raise InvalidInput(f"table {name} is not open to write-back", details={"table": name})
        return found

    def check_request(
        self, table: TableName | str, key: Mapping[str, Any], values: Mapping[str, Any]
    ) -> TableRules:
        """Check a change against the configuration alone; return the table's rules.

        Refuses (``InvalidInput`` naming the table or column): a table not
        configured; a key that is not exactly the configured key columns; an
        empty change; a column not writable; a value breaking its rule.
        """
        rules = self.for_table(table)
        name = rules.table.full_name
        if not isinstance(key, Mapping) or not isinstance(values, Mapping):
            raise InvalidInput("key and set must be objects of column -> value")
        missing = [c for c in rules.key_columns if c not in key]
        extra = sorted(c for c in key if c not in rules.key_columns)
        if extra:
            raise InvalidInput(
                f"column {extra[0]!r} is not a key column of {name}",
                details={"table": name, "column": extra[0]},
            )
        if missing:
            raise InvalidInput(
                f"key column {missing[0]!r} of {name} is missing",
                details={"table": name, "column": missing[0]},
            )
        for column, value in key.items():
            if value is None:
                raise InvalidInput(
                    f"key column {column!r} of {name} must not be null",
                    details={"table": name, "column": column},
                )
        if not values:
            raise InvalidInput(f"a change to {name} must set at least one column")
        for column in sorted(values):
            if column not in rules.writable:
                raise InvalidInput(
                    f"column {column!r} of {name} is not writable",
                    details={"table": name, "column": column},
                )
        for column, value in values.items():
            rules.writable[column].check(rules.table, column, value)
        return rules
