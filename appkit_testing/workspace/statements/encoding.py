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

Encoder = Callable[..., "str | None"]


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
        from appkit_adapters.sql.codec import encode_value as shared
    except ImportError:
        return fallback_encode
    encoder: Encoder = shared
    return encoder


encode_value: Encoder = _codec()
_SHARED = encode_value is not fallback_encode
_INTEGERS = frozenset({"LONG", "INT", "SHORT", "BYTE", "BIGINT", "SMALLINT", "TINYINT"})


def column_encoder(type_name: str, type_text: str) -> Callable[[Any], str | None]:
    """The wire encoder of one column: fast paths for the common scalar types, the
    shared codec for everything else (both give the same strings)."""
    name = type_name.upper()

    def general(value: Any) -> str | None:
        if value is None:
            return None
        if _SHARED:
            result: str | None = encode_value(value, name, type_text)
            return result
        return fallback_encode(value, name)

    if name in _INTEGERS:
        return lambda v: str(v) if type(v) is int else general(v)
    if name in ("STRING", "CHAR", "VARCHAR"):
        return lambda v: v if type(v) is str else general(v)
    if name == "DECIMAL":
        return lambda v: format(v, "f") if type(v) is Decimal and v.is_finite() else general(v)
    if name in ("DOUBLE", "FLOAT"):
        return lambda v: repr(v) if type(v) is float and math.isfinite(v) else general(v)
    if name == "BOOLEAN":
        return lambda v: ("true" if v else "false") if type(v) is bool else general(v)
    if name == "DATE":
        return lambda v: v.isoformat() if type(v) is dt.date else general(v)
    return general


def row_encoder(columns: list[tuple[str, str]]) -> Callable[[tuple[Any, ...]], list[str | None]]:
    """A function turning one result row into its wire list; ``columns`` are
    ``(type_name, type_text)`` pairs, bound once."""
    encoders = [column_encoder(name, text) for name, text in columns]
    if len(encoders) == 1:
        (only,) = encoders
        return lambda row: [only(row[0])]

    def encode(row: tuple[Any, ...]) -> list[str | None]:
        return [None if value is None else encoder(value) for encoder, value in zip(encoders, row)]

    return encode


_BOOLEANS = {True: "true", False: "false"}


def _column_fast(name: str, values: tuple[Any, ...]) -> list[Any] | None:
    """Encode a whole column in C-speed passes when every value has the expected type;
    None when the column needs the per-value path (NULLs, odd values)."""
    kinds = set(map(type, values))
    if name in _INTEGERS and kinds <= {int}:
        return list(map(str, values))
    if name in ("STRING", "CHAR", "VARCHAR") and kinds <= {str}:
        return list(values)
    if name == "DECIMAL" and kinds <= {Decimal}:
        texts = list(map(str, values))
        joined = "".join(texts)
        return None if ("E" in joined or "N" in joined or "I" in joined) else texts
    if name in ("DOUBLE", "FLOAT") and kinds <= {float}:
        texts = list(map(repr, values))
        return None if "n" in "".join(texts) else texts  # nan and inf need their wire names
    if name == "BOOLEAN" and kinds <= {bool}:
        return list(map(_BOOLEANS.__getitem__, values))
    if name == "DATE" and kinds <= {dt.date}:
        return list(map(dt.date.isoformat, values))
    return None


def batch_encoder(
    columns: list[tuple[str, str]],
) -> Callable[[list[tuple[Any, ...]]], tuple[list[tuple[str | None, ...]], int]]:
    """Encode a batch of rows column by column; returns the wire rows (tuples, which JSON
    writes as arrays) and an estimate of their JSON size in bytes. Needs >= 1 column."""
    names = [name.upper() for name, _text in columns]
    encoders = [column_encoder(name, text) for name, text in columns]

    def encode(batch: list[tuple[Any, ...]]) -> tuple[list[tuple[str | None, ...]], int]:
        encoded: list[list[str | None]] = []
        size = 3 * len(batch)
        for name, encoder, values in zip(names, encoders, zip(*batch)):
            texts = _column_fast(name, values)
            if texts is None:
                texts = [None if v is None else encoder(v) for v in values]
                size += sum(4 if t is None else len(t) + 3 for t in texts)
            else:
                size += sum(map(len, texts)) + 3 * len(texts)
            encoded.append(texts)
        return list(zip(*encoded)), size

    return encode
