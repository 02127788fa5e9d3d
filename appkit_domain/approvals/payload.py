"""Approval payloads: immutable JSON values and their binding hash.

A payload is normalised to plain JSON types with
:func:`appkit_domain.audit.chain.normalize_json` (decimals and times become
strings), then frozen: mappings become read-only mappings and lists become
tuples, so nobody can change what was submitted. The payload hash is the
SHA-256 (hex) of the canonical JSON encoding: sorted keys, no insignificant
whitespace, UTF-8. Anyone can recompute it from the thawed payload.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from appkit_domain.audit.chain import normalize_json
from appkit_domain.errors import InvalidInput

Payload = Mapping[str, Any]


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    """Return a frozen payload (or any part of it) as fresh, mutable dicts and lists."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(item) for item in value]
    return value


def freeze_payload(payload: Mapping[str, Any]) -> Payload:
    """Normalise ``payload`` to JSON types and freeze it; ``InvalidInput`` if it is not JSON."""
    if not isinstance(payload, Mapping):
        raise InvalidInput("an approval payload must be a JSON object")
    return _freeze(normalize_json(payload, "payload"))  # type: ignore[no-any-return]


def canonical_payload_bytes(payload: Mapping[str, Any]) -> bytes:
    body = normalize_json(thaw(payload), "payload")
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def payload_hash(payload: Mapping[str, Any]) -> str:
    """SHA-256 (hex) over the canonical JSON encoding of ``payload``."""
    return hashlib.sha256(canonical_payload_bytes(payload)).hexdigest()
