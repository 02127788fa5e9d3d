"""``/api/2.0/sql/warehouses``: the emulated workspace's single warehouse, always reachable,
and ``/api/2.0/sql/config/warehouses``, the workspace-wide warehouse configuration.

Start and stop are accepted and change the reported state; statements run
whatever the state (the embedded engine needs no warm-up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appkit_testing.workspace.errors import permission_denied, resource_missing
from appkit_testing.workspace.routing import Call, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace

BASE = "/api/2.0/sql/warehouses"
CONFIG = "/api/2.0/sql/config/warehouses"


def routes(workspace: Workspace) -> list[Route]:
    backend = workspace.warehouse

    def info(call: Call) -> dict[str, Any]:
        return {
            "id": workspace.warehouse_id,
            "name": "Emulated Serverless Warehouse",
            "state": backend.state,
            "cluster_size": "2X-Small",
            "min_num_clusters": 1,
            "max_num_clusters": 1,
            "num_clusters": 1 if backend.state == "RUNNING" else 0,
            "auto_stop_mins": 10,
            "enable_serverless_compute": True,
            "warehouse_type": "PRO",
            "creator_name": workspace.admin_name,
            "jdbc_url": f"jdbc:databricks://127.0.0.1:443/default;httpPath=/sql/1.0/warehouses/"
            f"{workspace.warehouse_id}",
            "odbc_params": {
                "hostname": call.base_url.split("://", 1)[-1],
                "path": f"/sql/1.0/warehouses/{workspace.warehouse_id}",
                "protocol": "http",
                "port": 0,
            },
            "health": {"status": "HEALTHY"},
        }

    def require(call: Call) -> None:
        if call.match["id"] != workspace.warehouse_id:
            raise resource_missing(f"Warehouse {call.match['id']} does not exist.")

    def list_warehouses(call: Call) -> Reply:
        return {"warehouses": [info(call)]}

    def get(call: Call) -> Reply:
        require(call)
        return info(call)

    def start(call: Call) -> Reply:
        require(call)
        backend.set_state("RUNNING")
        return {}

    def stop(call: Call) -> Reply:
        require(call)
        backend.set_state("STOPPED")
        return {}

    def get_config(call: Call) -> Reply:
        return backend.config()

    def set_config(call: Call) -> Reply:
        if not call.identity.is_admin:
            raise permission_denied("Only workspace admins may change the warehouse configuration.")
        backend.set_config(call.body)
        return {}

    return [
        Route("GET", CONFIG, get_config, "warehouses"),
        Route("PUT", CONFIG, set_config, "warehouses"),
        Route("GET", BASE, list_warehouses, "warehouses"),
        Route("GET", f"{BASE}/{{id}}", get, "warehouses"),
        Route("POST", f"{BASE}/{{id}}/start", start, "warehouses"),
        Route("POST", f"{BASE}/{{id}}/stop", stop, "warehouses"),
    ]
