"""Checking a proposed value against a column's Databricks SQL type.

Values arrive as JSON scalars (from an HTTP body or a configuration file).
:func:`coerce_to_column` accepts a value only if it fits the column type and
returns it in canonical JSON form: integers and floats as numbers, DECIMAL,
DATE and TIMESTAMP as ISO-8601 / plain decimal strings. Complex and binary
types (ARRAY, MAP, STRUCT, BINARY, VARIANT, ...) are not writable here.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from appkit_domain.errors import InvalidInput

ColumnValue = str | int | float | bool | None

_INT_RANGES = {
    "TINYINT": 2**7,
    "BYTE": 2**7,
    "SMALLINT": 2**15,
    "SHORT": 2**15,
    "INT": 2**31,
    "INTEGER": 2**31,
    "BIGINT": 2**63,
    "LONG": 2**63,
}
_SIZED = re.compile(r"^(?P<base>[A-Z_]+)\s*(?:\((?P<args>[0-9,\s]+)\))?$")


def _refuse(column: str, type_name: str, value: Any, why: str = "") -> InvalidInput:
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    reason = f" ({why})" if why else ""
    return InvalidInput(
        f"value {shown} does not fit column {column!r} of type {type_name}{reason}",
        details={"column": column, "type": type_name},
    )


def coerce_to_column(column: str, type_name: str, value: Any) -> ColumnValue:
    """Return ``value`` in canonical form for a column of ``type_name``, or raise ``InvalidInput``.

    ``None`` passes (nullability is a configured rule, not a type).
    """
    if value is None:
        return None
    match = _SIZED.match(type_name.strip().upper())
    if not match:
        raise _refuse(column, type_name, value, "type not writable")
    base, args = match["base"], match["args"]
    if base in _INT_RANGES:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _refuse(column, type_name, value, "not an integer")
        bound = _INT_RANGES[base]
        if not -bound <= value < bound:
            raise _refuse(column, type_name, value, "out of range")
        return value
    if base in ("FLOAT", "REAL", "DOUBLE"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _refuse(column, type_name, value, "not a number")
        if not math.isfinite(value):
            raise _refuse(column, type_name, value, "not finite")
        return value
    if base in ("DECIMAL", "DEC", "NUMERIC"):
        return _decimal(column, type_name, value, args)
    if base in ("STRING", "VARCHAR", "CHAR"):
        if not isinstance(value, str):
            raise _refuse(column, type_name, value, "not a string")
        if args and len(value) > int(args):
            raise _refuse(column, type_name, value, f"longer than {int(args)}")
        return value
    if base == "BOOLEAN":
        if not isinstance(value, bool):
            raise _refuse(column, type_name, value, "not a boolean")
        return value
    if base == "DATE":
        return _date(column, type_name, value)
    if base in ("TIMESTAMP", "TIMESTAMP_LTZ", "TIMESTAMP_NTZ"):
        return _timestamp(column, type_name, value, naive=base == "TIMESTAMP_NTZ")
    raise _refuse(column, type_name, value, "type not writable")


def _decimal(column: str, type_name: str, value: Any, args: str | None) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise _refuse(column, type_name, value, "not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _refuse(column, type_name, value, "not a number") from None
    if not number.is_finite():
        raise _refuse(column, type_name, value, "not finite")
    precision, scale = 10, 0
    if args:
        parts = [int(p) for p in args.split(",")]
        precision = parts[0]
        scale = parts[1] if len(parts) > 1 else 0
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > scale:
        raise _refuse(column, type_name, value, f"more than {scale} decimal places")
    digits_before_point = number.adjusted() + 1 if number.copy_abs() >= 1 else 0
    if digits_before_point > precision - scale:
        raise _refuse(column, type_name, value, "too many digits")
    return str(number)


def _date(column: str, type_name: str, value: Any) -> str:
    if isinstance(value, datetime) or not isinstance(value, (str, date)):
        raise _refuse(column, type_name, value, "not a date")
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise _refuse(column, type_name, value, "not an ISO date") from None


def _timestamp(column: str, type_name: str, value: Any, *, naive: bool) -> str:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise _refuse(column, type_name, value, "not an ISO timestamp") from None
    elif isinstance(value, datetime):
        moment = value
    else:
        raise _refuse(column, type_name, value, "not a timestamp")
    if naive:
        if moment.tzinfo is not None:
            raise _refuse(column, type_name, value, "must not carry a time zone")
        return moment.isoformat()
    if moment.tzinfo is None:
        raise _refuse(column, type_name, value, "needs a time zone")
    return moment.isoformat()
