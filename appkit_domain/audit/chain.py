"""Canonical encoding and the SHA-256 hash chain.

The hash input is ``LABEL || 0x00 || canonical_json(event without hash)``.
The label separates audit hashes from any other SHA-256 use (domain
separation); the genesis hash of a stream binds the stream name, so an event
moved to another stream breaks that stream's chain. The canonical JSON has
sorted keys, no insignificant whitespace, UTF-8 text, and times as UTC ISO
8601 with microseconds, so the same event always hashes the same way.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from appkit_domain.errors import InvalidInput

EVENT_LABEL = b"lakehouse-appkit/audit-event/v1"
GENESIS_LABEL = b"lakehouse-appkit/audit-genesis/v1"


def _digest(label: bytes, payload: bytes) -> str:
    return hashlib.sha256(label + b"\x00" + payload).hexdigest()


def genesis_hash(stream: str) -> str:
    """The ``prev_hash`` of a stream's first event."""
    return _digest(GENESIS_LABEL, stream.encode("utf-8"))


def format_time(at: datetime) -> str:
    if at.tzinfo is None:
        raise InvalidInput("audit times must be timezone-aware")
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalize_json(value: Any, path: str = "details") -> Any:
    """Return ``value`` as plain JSON types, or raise ``InvalidInput`` naming the path.

    Decimals, dates and datetimes become strings; tuples and sets become
    lists (sets sorted). Non-finite floats and other types are refused so the
    encoding stays canonical.
    """
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(f"{path} holds a non-finite number")
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInput(f"{path} has a non-string key {key!r}")
            out[key] = normalize_json(item, f"{path}.{key}")
        return out
    if isinstance(value, (list, tuple)):
        return [normalize_json(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, (set, frozenset)):
        return sorted((normalize_json(item, path) for item in value), key=repr)
    raise InvalidInput(f"{path} holds a {type(value).__name__}, which is not JSON")


def canonical_bytes(
    *,
    id: str,
    stream: str,
    seq: int,
    at: datetime,
    actor: str,
    on_behalf_of: str | None,
    action: str,
    target: str,
    request_id: str | None,
    details: Mapping[str, Any],
    prev_hash: str,
) -> bytes:
    body = {
        "action": action,
        "actor": actor,
        "at": format_time(at),
        "details": normalize_json(details),
        "id": id,
        "on_behalf_of": on_behalf_of,
        "prev_hash": prev_hash,
        "request_id": request_id,
        "seq": seq,
        "stream": stream,
        "target": target,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(**fields: Any) -> str:
    """SHA-256 (hex) over the canonical encoding of an event's fields except ``hash``."""
    return _digest(EVENT_LABEL, canonical_bytes(**fields))


def hash_of(event: Any) -> str:
    """Recompute the hash an :class:`AuditEvent` should carry."""
    return event_hash(
        id=event.id,
        stream=event.stream,
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        on_behalf_of=event.on_behalf_of,
        action=event.action,
        target=event.target,
        request_id=event.request_id,
        details=event.details,
        prev_hash=event.prev_hash,
    )
