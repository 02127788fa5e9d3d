"""Who a platform call runs as, and the hash that stands in for its input in audit.

A call to a platform service runs either as the signed-in user (their
on-behalf-of token, so the workspace applies their permissions) or as the
app's service principal (where no user scope exists, e.g. jobs and secrets).
Audit records never hold prompts, vectors or secret values: only
:func:`input_hash` of them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from appkit_domain.approvals.payload import payload_hash


class ExecutesAs(str, enum.Enum):
    USER = "user"
    SERVICE_PRINCIPAL = "service_principal"


def input_hash(value: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``value`` (any JSON value).

    The same input always gives the same hash, so an auditor holding the
    input can prove it was the one sent, while the log holds nothing of it.
    """
    wrapped: Mapping[str, Any] = value if isinstance(value, Mapping) else {"value": value}
    return payload_hash(wrapped)
