"""``/api/2.x/clusters``: the runtime versions and node types a workspace offers.

The emulated workspace runs SQL on its warehouse only and has no clusters: listing
clusters answers an empty list, getting one ``RESOURCE_DOES_NOT_EXIST``, creating one is
refused. ``spark-versions`` and ``list-node-types`` answer a fixed catalogue so setup code
that picks a runtime or node type (``select_spark_version``, ``select_node_type``) works.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appkit_testing.workspace.errors import ApiError, resource_missing
from appkit_testing.workspace.routing import Call, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace

_RUNTIMES = (
    ("17.3.x-scala2.13", "17.3 LTS (includes Apache Spark 4.0.0, Scala 2.13)"),
    ("16.4.x-scala2.12", "16.4 LTS (includes Apache Spark 3.5.2, Scala 2.12)"),
    ("16.4.x-scala2.13", "16.4 LTS (includes Apache Spark 3.5.2, Scala 2.13)"),
    ("15.4.x-scala2.12", "15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)"),
    ("15.4.x-photon-scala2.12", "15.4 LTS Photon (includes Apache Spark 3.5.0, Scala 2.12)"),
    ("15.4.x-cpu-ml-scala2.12", "15.4 LTS ML (includes Apache Spark 3.5.0, Scala 2.12)"),
    ("14.3.x-scala2.12", "14.3 LTS (includes Apache Spark 3.5.0, Scala 2.12)"),
    ("13.3.x-scala2.12", "13.3 LTS (includes Apache Spark 3.4.1, Scala 2.12)"),
)
_NODES = (
    ("i3.xlarge", 31232, 4.0, 1, 950),
    ("m5d.large", 8192, 2.0, 1, 75),
    ("r5.large", 16384, 2.0, 0, 0),
)


def _node(node_id: str, memory: int, cores: float, disks: int, disk_gb: int) -> dict[str, Any]:
    return {
        "node_type_id": node_id,
        "instance_type_id": node_id,
        "memory_mb": memory,
        "num_cores": cores,
        "description": node_id,
        "category": "General Purpose",
        "is_deprecated": False,
        "is_hidden": False,
        "support_port_forwarding": True,
        "node_instance_type": {
            "instance_type_id": node_id,
            "local_disks": disks,
            "local_disk_size_gb": disk_gb,
        },
    }


def routes(workspace: Workspace) -> list[Route]:
    def spark_versions(call: Call) -> Reply:
        return {"versions": [{"key": key, "name": name} for key, name in _RUNTIMES]}

    def node_types(call: Call) -> Reply:
        return {"node_types": [_node(*spec) for spec in _NODES]}

    def list_clusters(call: Call) -> Reply:
        return {"clusters": []}

    def get_cluster(call: Call) -> Reply:
        raise resource_missing(f"Cluster {call.arg('cluster_id')} does not exist")

    def create_cluster(call: Call) -> Reply:
        raise ApiError(
            400,
            "INVALID_PARAMETER_VALUE",
            "The emulated workspace runs no clusters; use its SQL warehouse.",
        )

    out = []
    for version in ("2.0", "2.1"):
        base = f"/api/{version}/clusters"
        out += [
            Route("GET", f"{base}/spark-versions", spark_versions, "clusters"),
            Route("GET", f"{base}/list-node-types", node_types, "clusters"),
            Route("GET", f"{base}/list", list_clusters, "clusters"),
            Route("GET", f"{base}/get", get_cluster, "clusters"),
            Route("POST", f"{base}/create", create_cluster, "clusters"),
        ]
    return out
