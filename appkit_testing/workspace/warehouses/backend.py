"""The state of the single emulated SQL warehouse (RUNNING or STOPPED)."""

from __future__ import annotations

import threading


class WarehouseBackend:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.state = "RUNNING"

    def set_state(self, state: str) -> None:
        with self._lock:
            self.state = state
