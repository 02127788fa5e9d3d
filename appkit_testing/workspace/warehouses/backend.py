"""The state of the single emulated SQL warehouse (RUNNING or STOPPED) and the workspace's
warehouse configuration (what ``set_workspace_warehouse_config`` last stored)."""

from __future__ import annotations

import copy
import threading
from typing import Any

DEFAULT_CONFIG: dict[str, Any] = {
    "security_policy": "DATA_ACCESS_CONTROL",
    "enable_serverless_compute": True,
    "enabled_warehouse_types": [
        {"warehouse_type": "PRO", "enabled": True},
        {"warehouse_type": "CLASSIC", "enabled": True},
    ],
    "sql_configuration_parameters": {"configuration_pairs": []},
    "data_access_config": [],
}


class WarehouseBackend:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.state = "RUNNING"
            self._config = copy.deepcopy(DEFAULT_CONFIG)

    def set_state(self, state: str) -> None:
        with self._lock:
            self.state = state

    def config(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._config)

    def set_config(self, config: dict[str, Any]) -> None:
        """Replace the configuration (a PUT: fields left out return to their defaults)."""
        with self._lock:
            self._config = {**copy.deepcopy(DEFAULT_CONFIG), **copy.deepcopy(config)}
