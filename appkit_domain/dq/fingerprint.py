"""The identity of a failure: the same check failing on the same rows is one exception."""

from __future__ import annotations

import hashlib
import json


def failure_fingerprint(check: str, dataset: str, failing_key: str) -> str:
    """SHA-256 (hex) over a canonical JSON encoding of ``(check, dataset, failing_key)``.

    JSON keeps the parts apart, so ``("a.b", "c")`` and ``("a", "b.c")`` never
    collide. ``dataset`` is the table's full name, compared case-insensitively
    as Unity Catalog stores names in lower case.
    """
    canonical = json.dumps([check, dataset.lower(), failing_key], separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
