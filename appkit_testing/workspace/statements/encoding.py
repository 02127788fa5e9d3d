"""Python values to the JSON_ARRAY wire form: every non-null value a string, NULL as null.

Uses the shared codec (:mod:`appkit_adapters.sql.codec`) when it is present so
the emulator and the clients agree on one encoding; otherwise falls back to
the same rules implemented here (booleans ``true``/``false``, decimals in plain
notation, timestamps ISO-8601 in UTC with ``Z``, binary as base64, complex
types as JSON text).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

Encoder = Callable[[Any, str], "str | None"]


def _plain(value: Any) -> Any:
    """A JSON-able form of a nested value (inside ARRAY/MAP/STRUCT)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (Decimal, dt.date, dt.datetime, bytes, bytearray)):
        return fallback_encode(value, "")
    if isinstance(value, float) and not math.isfinite(value):
        return fallback_encode(value, "DOUBLE")
    return value


def fallback_encode(value: Any, type_name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc)
            stamp: str = value.strftime("%Y-%m-%dT%H:%M:%S.")
            return stamp + f"{value.microsecond // 1000:03d}Z"
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(_plain(value), separators=(",", ":"))
    return str(value)


def _codec() -> Encoder:
    try:
        from appkit_adapters.sql.codec import encode_value
    except ImportError:
        return fallback_encode
    encoder: Encoder = encode_value
    return encoder


encode_value: Encoder = _codec()


def row_encoder(type_names: list[str]) -> Callable[[tuple[Any, ...]], list[str | None]]:
    """A function turning one result row into its wire list, column types bound once."""
    pairs = list(enumerate(type_names))
    simple = {"STRING", "CHAR"}

    def encode(row: tuple[Any, ...]) -> list[str | None]:
        out: list[str | None] = []
        for index, type_name in pairs:
            value = row[index]
            if value is None or (type_name in simple and isinstance(value, str)):
                out.append(value)
            elif type(value) is int:
                out.append(str(value))
            else:
                out.append(encode_value(value, type_name))
        return out

    return encode
