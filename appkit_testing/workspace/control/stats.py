"""Counters of what the emulator served: requests by route, statements by kind and state."""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class StatementRecord:
    """One finished (or abandoned) statement, as the statement log shows it.

    Only parameter names and types are kept, never their values.
    """

    statement_id: str
    statement: str
    parameters: tuple[tuple[str, str], ...]
    principal: str
    kind: str
    state: str
    error: str | None = None
    started_ms: int = 0
    ended_ms: int | None = None

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["parameters"] = [{"name": name, "type": kind} for name, kind in self.parameters]
        return body


class ServedStats:
    """Thread-safe counters and a bounded log of recent statements."""

    def __init__(self, log_size: int = 1000) -> None:
        self._lock = threading.Lock()
        self._log_size = log_size
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._requests: Counter[str] = Counter()
            self._statuses: Counter[str] = Counter()
            self._kinds: Counter[str] = Counter()
            self._states: Counter[str] = Counter()
            self._faults: Counter[str] = Counter()
            self._log: deque[StatementRecord] = deque(maxlen=self._log_size)

    def count_request(self, route: str, status: int) -> None:
        with self._lock:
            self._requests[route] += 1
            self._statuses[str(status)] += 1

    def count_fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def record_statement(self, record: StatementRecord) -> None:
        with self._lock:
            self._kinds[record.kind] += 1
            self._states[record.state] += 1
            self._log.append(record)

    def statements(self) -> list[StatementRecord]:
        with self._lock:
            return list(self._log)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": {
                    "total": sum(self._requests.values()),
                    "by_route": dict(self._requests),
                    "by_status": dict(self._statuses),
                },
                "statements": {
                    "total": sum(self._kinds.values()),
                    "by_kind": dict(self._kinds),
                    "by_state": dict(self._states),
                },
                "faults": dict(self._faults),
            }
