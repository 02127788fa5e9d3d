"""Python values to and from the Statement Execution ``JSON_ARRAY`` value strings.

Every non-NULL value travels as a string; NULL is ``None``. Formats, by type name:

- DECIMAL: plain digits (``"12.50"``, never an exponent); INT/BIGINT/SMALLINT/TINYINT
  (wire ``INT``/``LONG``/``SHORT``/``BYTE``): integer text; FLOAT/DOUBLE: shortest
  round-trip text, ``NaN``/``Infinity``/``-Infinity`` for the special values.
- BOOLEAN: ``true``/``false``; DATE: ``YYYY-MM-DD``.
- TIMESTAMP: ISO 8601 in UTC with ``Z`` (``2024-03-01T10:00:00.000Z``); a naive
  datetime is taken as UTC. TIMESTAMP_NTZ: the same without a zone.
- BINARY: base64. STRING: as is. INTERVAL (a ``timedelta``): the day-time literal
  ``INTERVAL '1 02:03:04.5' DAY TO SECOND``.
- ARRAY/MAP/STRUCT: JSON text. Decimals are JSON numbers written exactly; dates,
  timestamps and binary are JSON strings in the scalar formats above.

:func:`decode_value` is the inverse. Given the column's ``type_text`` it also decodes
nested values exactly (``ARRAY<DECIMAL(10,2)>`` gives Decimals); without it,
nested JSON decodes to plain JSON values.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from appkit_adapters.sql.temporal_text import (
    format_interval,
    format_timestamp,
    parse_interval,
    parse_timestamp,
)
from appkit_adapters.sql.type_text import SqlType, canonical_type_name, parse_type_text
from appkit_domain.errors import InvalidInput

_INTEGERS = frozenset({"INT", "BIGINT", "SMALLINT", "TINYINT"})
_FLOATS = frozenset({"FLOAT", "DOUBLE"})
_NESTED = frozenset({"ARRAY", "MAP", "STRUCT"})
_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_UTC = dt.timezone.utc


def _refuse(value: Any, type_name: str) -> InvalidInput:
    return InvalidInput(f"a {type(value).__name__} cannot be encoded as {type_name}")


def _format_float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


def _encode_scalar(value: Any, name: str) -> str:
    if name in _INTEGERS:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, Decimal) and value == value.to_integral_value():
            return str(int(value))
        raise _refuse(value, name)
    if name in _FLOATS:
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return _format_float(float(value))
        raise _refuse(value, name)
    if name == "DECIMAL":
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            number = Decimal(value)
            if not number.is_finite():
                raise InvalidInput("a DECIMAL value must be finite")
            return format(number, "f")
        if isinstance(value, float) and math.isfinite(value):
            return format(Decimal(repr(value)), "f")
        raise _refuse(value, name)
    if name == "BOOLEAN":
        if isinstance(value, bool):
            return "true" if value else "false"
        raise _refuse(value, name)
    if name == "DATE":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        raise _refuse(value, name)
    if name in ("TIMESTAMP", "TIMESTAMP_NTZ"):
        if isinstance(value, dt.datetime):
            return format_timestamp(value, ntz=name == "TIMESTAMP_NTZ")
        raise _refuse(value, name)
    if name == "BINARY":
        if isinstance(value, (bytes, bytearray, memoryview)):
            return base64.b64encode(bytes(value)).decode("ascii")
        raise _refuse(value, name)
    if name == "INTERVAL" and isinstance(value, dt.timedelta):
        return format_interval(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        return value
    raise _refuse(value, name)


def _json_text(value: Any, sql_type: SqlType | None) -> str:
    """Compact JSON for a nested value; decimals are written as exact numbers."""
    if value is None:
        return "null"
    name = sql_type.name if sql_type is not None else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if name in _FLOATS or isinstance(value, float):
        number = float(value)
        return json.dumps(number) if math.isfinite(number) else json.dumps(_format_float(number))
    if isinstance(value, (int, Decimal)) and name in (None, "DECIMAL", *_INTEGERS):
        return _encode_scalar(value, "DECIMAL")
    if isinstance(value, dict):
        if name == "STRUCT" and sql_type is not None:
            types = dict(sql_type.fields)
            items = [
                (str(key), _json_text(item, types.get(str(key)))) for key, item in value.items()
            ]
        else:
            key_type = sql_type.key if sql_type is not None else None
            value_type = sql_type.value if sql_type is not None else None
            items = [
                (_map_key(key, key_type), _json_text(item, value_type))
                for key, item in value.items()
            ]
        return "{" + ",".join(f"{json.dumps(key)}:{text}" for key, text in items) + "}"
    if isinstance(value, (list, tuple)):
        element = sql_type.element if sql_type is not None else None
        return "[" + ",".join(_json_text(item, element) for item in value) + "]"
    scalar_name = name or _python_type_name(value)
    return json.dumps(_encode_scalar(value, scalar_name))


def _map_key(key: Any, key_type: SqlType | None) -> str:
    if isinstance(key, str):
        return key
    return _encode_scalar(key, key_type.name if key_type else _python_type_name(key))


def _python_type_name(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return "TIMESTAMP" if value.tzinfo is not None else "TIMESTAMP_NTZ"
    if isinstance(value, dt.date):
        return "DATE"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "BINARY"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "BIGINT"
    return "STRING"


def encode_value(value: Any, type_name: str, type_text: str | None = None) -> str | None:
    """The wire string for ``value`` of a column typed ``type_name`` (see module docstring).

    ``type_text`` (e.g. ``ARRAY<DECIMAL(10,2)>``) guides nested values; without it they
    are written by their Python types. Raises ``InvalidInput`` for a value that does not
    fit the type.
    """
    if value is None:
        return None
    name = canonical_type_name(type_name)
    if name == "NULL":
        return None
    if name in _NESTED:
        sql_type = parse_type_text(type_text) if type_text else None
        if name == "ARRAY" and not isinstance(value, (list, tuple)):
            raise _refuse(value, name)
        if name in ("MAP", "STRUCT") and not isinstance(value, dict):
            raise _refuse(value, name)
        return _json_text(value, sql_type)
    return _encode_scalar(value, name)


def _decode_scalar(text: str, name: str) -> Any:
    try:
        if name in _INTEGERS:
            return int(text)
        if name in _FLOATS:
            special = _SPECIAL_FLOATS.get(text.strip())
            return special if special is not None else float(text)
        if name == "DECIMAL":
            return Decimal(text)
        if name == "BOOLEAN":
            lowered = text.strip().lower()
            if lowered not in ("true", "false"):
                raise ValueError(text)
            return lowered == "true"
        if name == "DATE":
            return dt.date.fromisoformat(text.strip()[:10])
        if name in ("TIMESTAMP", "TIMESTAMP_NTZ"):
            return parse_timestamp(text, ntz=name == "TIMESTAMP_NTZ")
        if name == "BINARY":
            return base64.b64decode(text, validate=True)
        if name == "INTERVAL":
            return parse_interval(text)
    except (ValueError, InvalidOperation, binascii.Error) as error:
        raise InvalidInput(f"{text!r} is not a valid {name} value") from error
    return text


def _from_json(value: Any, sql_type: SqlType) -> Any:
    if value is None:
        return None
    name = sql_type.name
    if name == "ARRAY" and sql_type.element is not None:
        return [_from_json(item, sql_type.element) for item in value]
    if name == "MAP" and sql_type.key is not None and sql_type.value is not None:
        key_type, value_type = sql_type.key, sql_type.value
        return {
            (key if key_type.name == "STRING" else _decode_scalar(key, key_type.name)): _from_json(
                item, value_type
            )
            for key, item in value.items()
        }
    if name == "STRUCT":
        types = dict(sql_type.fields)
        return {
            key: (_from_json(item, types[key]) if key in types else item)
            for key, item in value.items()
        }
    if name in _INTEGERS:
        return int(value)
    if name in _FLOATS:
        return _decode_scalar(value, name) if isinstance(value, str) else float(value)
    if name == "DECIMAL":
        return value if isinstance(value, Decimal) else Decimal(str(value))
    if isinstance(value, str) and name != "STRING":
        return _decode_scalar(value, name)
    return value


def decode_value(text: str | None, type_name: str, type_text: str | None = None) -> Any:
    """The Python value of a wire string (the inverse of :func:`encode_value`).

    Raises ``InvalidInput`` when the text does not fit the type.
    """
    if text is None:
        return None
    name = canonical_type_name(type_name)
    if name == "NULL":
        return None
    if name in _NESTED:
        try:
            if not type_text:
                return json.loads(text)
            parsed = json.loads(text, parse_float=Decimal, parse_int=Decimal)
        except json.JSONDecodeError as error:
            raise InvalidInput(f"{name} value is not JSON: {error}") from error
        return _from_json(parsed, parse_type_text(type_text))
    return _decode_scalar(text, name)
