"""Turning domain values into statement parameters and stored values back into domain values.

JSON-shaped fields are stored as canonical JSON text (sorted keys, no extra
whitespace) so equal values are stored as equal text. Times are bound as
``TIMESTAMP`` parameters and read back as timezone-aware UTC datetimes,
whatever the warehouse returns (aware, naive UTC, or ISO text).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from appkit_adapters.sql.warehouse import SqlParameter
from appkit_domain.errors import InvalidInput
from appkit_domain.pagination import check_page_size

MAX_PARAMETERS = 256
"""Databricks SQL refuses a statement with more parameters ("the limit is 256")."""


def to_json(value: Any) -> str:
    """Canonical JSON text of a JSON value (mappings, sequences and scalars)."""
    return json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def from_json(text: Any) -> Any:
    """The JSON value stored as ``text`` (``None`` stays ``None``)."""
    if text is None:
        return None
    if isinstance(text, (bytes, bytearray)):
        text = text.decode("utf-8")
    if not isinstance(text, str):
        return text
    return json.loads(text)


def utc(value: Any) -> datetime:
    """A stored time as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        raise InvalidInput(f"expected a stored time, got {type(value).__name__}")
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def utc_or_none(value: Any) -> datetime | None:
    return None if value is None else utc(value)


def string(name: str, value: str | None) -> SqlParameter:
    """A ``STRING`` parameter (typed even when ``None``, so NULL binds as a string)."""
    return SqlParameter(name, value, "STRING")


def timestamp(name: str, value: datetime | None) -> SqlParameter:
    if value is not None and value.tzinfo is None:
        raise InvalidInput(f"{name} must be timezone-aware")
    return SqlParameter(
        name, None if value is None else value.astimezone(timezone.utc), "TIMESTAMP"
    )


def bigint(name: str, value: int | None) -> SqlParameter:
    return SqlParameter(name, value, "BIGINT")


def integer(name: str, value: int | None) -> SqlParameter:
    return SqlParameter(name, value, "INT")


def boolean(name: str, value: bool | None) -> SqlParameter:
    return SqlParameter(name, value, "BOOLEAN")


def limit_clause(page_size: int) -> str:
    """``LIMIT n+1`` for a checked page size (an int, never user text): one extra row tells
    whether another page follows."""
    return f"LIMIT {int(check_page_size(page_size)) + 1}"


def in_list(prefix: str, values: Sequence[str]) -> tuple[str, list[SqlParameter]]:
    """``(:p0, :p1, ...)`` markers and their STRING parameters for an ``IN`` filter."""
    params = [string(f"{prefix}{i}", value) for i, value in enumerate(values)]
    return "(" + ", ".join(f":{p.name}" for p in params) + ")", params
