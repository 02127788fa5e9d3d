"""Timestamps and day-time intervals as Statement Execution value strings.

TIMESTAMP: ISO 8601 in UTC with ``Z`` and millisecond (or, when needed, microsecond)
precision; naive values are taken as UTC. TIMESTAMP_NTZ: the same without a zone.
Parsing accepts ``T`` or a space, 0-9 fraction digits (kept to microseconds), ``Z``
or an offset. INTERVAL: ``INTERVAL '1 02:03:04.5' DAY TO SECOND``.
"""

from __future__ import annotations

import datetime as dt
import re

from appkit_domain.errors import InvalidInput

_UTC = dt.timezone.utc


def _fraction(microsecond: int) -> str:
    return f".{microsecond // 1000:03d}" if microsecond % 1000 == 0 else f".{microsecond:06d}"


def format_timestamp(value: dt.datetime, *, ntz: bool) -> str:
    """TIMESTAMP (``ntz=False``) or TIMESTAMP_NTZ text of a datetime."""
    if ntz:
        local = value.astimezone(_UTC).replace(tzinfo=None) if value.tzinfo else value
        return local.isoformat(timespec="seconds") + _fraction(local.microsecond)
    instant = value.replace(tzinfo=_UTC) if value.tzinfo is None else value.astimezone(_UTC)
    wall = instant.replace(tzinfo=None).isoformat(timespec="seconds")
    return wall + _fraction(instant.microsecond) + "Z"


def format_interval(value: dt.timedelta) -> str:
    sign = "-" if value < dt.timedelta(0) else ""
    total = abs(value)
    hours, rest = divmod(total.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    fraction = f".{total.microseconds:06d}".rstrip("0") if total.microseconds else ""
    return (
        f"INTERVAL '{sign}{total.days} {hours:02d}:{minutes:02d}:{seconds:02d}{fraction}'"
        " DAY TO SECOND"
    )


_INTERVAL = re.compile(
    r"INTERVAL\s+'(-?)(\d+) (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?'\s+DAY\s+TO\s+SECOND",
    re.I,
)


def parse_interval(text: str) -> dt.timedelta | str:
    found = _INTERVAL.fullmatch(text.strip())
    if not found:
        return text
    sign, days, hours, minutes, seconds, fraction = found.groups()
    value = dt.timedelta(
        days=int(days),
        hours=int(hours),
        minutes=int(minutes),
        seconds=int(seconds),
        microseconds=int((fraction or "0").ljust(6, "0")[:6]),
    )
    return -value if sign else value


_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?"
)


def parse_timestamp(text: str, *, ntz: bool) -> dt.datetime:
    found = _TIMESTAMP.fullmatch(text.strip())
    if not found:
        raise InvalidInput(f"{text!r} is not a timestamp")
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    micro = int((fraction or "0").ljust(6, "0")[:6])
    tz: dt.tzinfo | None = None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        tz = dt.timezone(sign * offset)
    value = dt.datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        micro,
        tz,
    )
    if ntz:
        return value.astimezone(_UTC).replace(tzinfo=None) if tz is not None else value
    return value.replace(tzinfo=_UTC) if tz is None else value.astimezone(_UTC)
