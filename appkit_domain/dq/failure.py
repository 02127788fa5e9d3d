"""A failed check as reported by a check run: the input that raises an exception."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from appkit_domain.dq.exception import ObservedValue
from appkit_domain.dq.fingerprint import failure_fingerprint
from appkit_domain.dq.severity import Severity
from appkit_domain.errors import InvalidInput
from appkit_domain.identifiers import TableName

_REQUIRED = ("check", "table", "rule", "severity", "failing_key", "detected_at")


@dataclass(frozen=True)
class CheckFailure:
    """One failed check on one dataset.

    ``failing_key`` names the failing rows (e.g. a key value, a partition or
    ``"*"`` for the whole table) and is part of the failure's identity;
    ``failing_rows_ref`` points to where the failing rows can be read.
    ``owner`` may be left empty for the service's owner resolution to fill.
    """

    check: str
    table: TableName
    rule: str
    severity: Severity
    failing_key: str
    detected_at: datetime
    observed_value: ObservedValue = None
    failing_rows_ref: str | None = None
    owner: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.table, TableName):
            raise InvalidInput("a check failure needs a TableName")
        object.__setattr__(self, "severity", Severity.parse(self.severity))
        for name in ("check", "rule", "failing_key"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidInput(f"a check failure needs a non-empty {name}")
        if not isinstance(self.detected_at, datetime) or self.detected_at.tzinfo is None:
            raise InvalidInput("detected_at must be a timezone-aware time")
        if not isinstance(self.observed_value, (str, int, float, bool, type(None))):
            raise InvalidInput("observed_value must be a string, number, boolean or null")

    @property
    def fingerprint(self) -> str:
        return failure_fingerprint(self.check, self.table.full_name, self.failing_key)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> CheckFailure:
        """Build from one row of a check-results table.

        Columns: ``check_name`` (or ``check``), ``table_name`` (or ``table``),
        ``rule``, ``severity``, ``failing_key``, ``detected_at`` (aware
        datetime or ISO-8601 text with an offset), and optionally
        ``observed_value``, ``failing_rows_ref``, ``owner``. A missing or
        malformed column is ``InvalidInput`` naming it.
        """
        values = dict(row)
        values.setdefault("check", values.pop("check_name", None))
        values.setdefault("table", values.pop("table_name", None))
        for name in _REQUIRED:
            if values.get(name) in (None, ""):
                raise InvalidInput(f"check result row has no {name}")
        detected = values["detected_at"]
        if isinstance(detected, str):
            try:
                detected = datetime.fromisoformat(detected.replace("Z", "+00:00"))
            except ValueError:
                raise InvalidInput(f"detected_at {detected!r} is not an ISO-8601 time") from None
        table = values["table"]
        observed = values.get("observed_value")
        return cls(
            check=str(values["check"]),
            table=table if isinstance(table, TableName) else TableName.parse(str(table)),
            rule=str(values["rule"]),
            severity=Severity.parse(values["severity"]),
            failing_key=str(values["failing_key"]),
            detected_at=detected,
            observed_value=observed,
            failing_rows_ref=values.get("failing_rows_ref") or None,
            owner=values.get("owner") or None,
        )
