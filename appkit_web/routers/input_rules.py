"""Rules every route applies to client values the body schemas cannot express.

- Instants carry a time zone and stay within years 1..9999 once in UTC (an
  offset can push a valid ISO 8601 text outside, which the domain cannot
  format or compare).
- Numbers are finite: JSON ``NaN``/``Infinity`` (and ``1e999``, which parses
  as infinity) are refused rather than stored, hashed or sent as ``NULL``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from appkit_domain.errors import InvalidInput


def utc_instant(value: datetime | None, name: str) -> datetime | None:
    """``value`` in UTC; ``InvalidInput`` when it has no time zone or leaves the calendar."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} must carry a time zone, e.g. 2026-01-31T00:00:00Z")
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise InvalidInput(f"{name} is outside the years 1 to 9999 in UTC") from None


def finite(value: Any, name: str) -> Any:
    """``value`` unchanged unless it is a float that is NaN or infinite (``InvalidInput``)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{name} must be a finite number")
    return value


def finite_values(values: Mapping[str, Any], name: str) -> None:
    """Refuse a mapping holding a non-finite number, naming the entry."""
    for key, value in values.items():
        finite(value, f"{name}.{key}")
