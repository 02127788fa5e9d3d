"""The real clock and id generator."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from appkit_domain.ports.clock import Clock
from appkit_domain.ports.ids import IdGenerator


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class UuidIds(IdGenerator):
    def new_id(self, prefix: str = "") -> str:
        return f"{prefix}{uuid.uuid4().hex}"
