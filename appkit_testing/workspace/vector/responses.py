"""Vector search routes (``/api/2.0/vector-search/...``), as the SDK and the official
``databricks-vectorsearch`` client call them (queries arrive as GET or POST with a JSON body)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appkit_testing.workspace.errors import invalid_parameter, resource_missing
from appkit_testing.workspace.routing import Call, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace

BASE = "/api/2.0/vector-search"


def routes(workspace: Workspace) -> list[Route]:
    backend = workspace.vector

    def create_endpoint(call: Call) -> Reply:
        return backend.create_endpoint(call.arg("name"), call.identity.name).to_json(0)

    def list_endpoints(call: Call) -> Reply:
        found = [e.to_json(n) for e, n in backend.endpoints()]
        return {"endpoints": found} if found else {}

    def get_endpoint(call: Call) -> Reply:
        name = call.match["endpoint"]
        endpoint = backend.endpoint(name)
        return endpoint.to_json(len(backend.indexes(name)))

    def delete_endpoint(call: Call) -> Reply:
        backend.delete_endpoint(call.match["endpoint"])
        return {}

    def create_index(call: Call) -> Reply:
        body = dict(call.body)
        if "endpoint" in call.match:
            body.setdefault("endpoint_name", call.match["endpoint"])
        return backend.create_index(body, call.identity.name).to_json()

    def list_indexes(call: Call) -> Reply:
        endpoint = call.match.get("endpoint") or call.arg("endpoint_name")
        if not endpoint:
            raise invalid_parameter("endpoint_name is required.")
        found = [i.to_json() for i in backend.indexes(str(endpoint))]
        key = "vector_indexes"
        return {key: found} if found else {}

    def get_index(call: Call) -> Reply:
        index = backend.index(call.match["index"])
        if "endpoint" in call.match and index.endpoint != call.match["endpoint"]:
            raise resource_missing(
                f"Index {index.name} does not exist on endpoint {call.match['endpoint']}."
            )
        return index.to_json()

    def delete_index(call: Call) -> Reply:
        backend.delete_index(call.match["index"])
        return {}

    def query(call: Call) -> Reply:
        return backend.query(call.match["index"], call.body)

    def upsert(call: Call) -> Reply:
        count = backend.upsert(call.match["index"], call.arg("inputs_json"))
        return {"status": "SUCCESS", "result": {"success_row_count": count,
                                                "failed_primary_keys": []}}  # fmt: skip

    def delete_data(call: Call) -> Reply:
        keys = call.body.get("primary_keys")
        if keys is None:
            keys = [v for k, v in call.query.items() if k == "primary_keys"]
        if not isinstance(keys, list):
            raise invalid_parameter("primary_keys must be a list.")
        count = backend.delete_rows(call.match["index"], keys)
        return {"status": "SUCCESS", "result": {"success_row_count": count,
                                                "failed_primary_keys": []}}  # fmt: skip

    def sync(call: Call) -> Reply:
        backend.sync(call.match["index"])
        return {}

    endpoint_index = f"{BASE}/endpoints/{{endpoint}}/indexes/{{index}}"
    index = f"{BASE}/indexes/{{index}}"
    return [
        Route("POST", f"{BASE}/endpoints", create_endpoint, "vector"),
        Route("GET", f"{BASE}/endpoints", list_endpoints, "vector"),
        Route("GET", f"{BASE}/endpoints/{{endpoint}}", get_endpoint, "vector"),
        Route("DELETE", f"{BASE}/endpoints/{{endpoint}}", delete_endpoint, "vector"),
        Route("POST", f"{BASE}/endpoints/{{endpoint}}/indexes", create_index, "vector"),
        Route("GET", f"{BASE}/endpoints/{{endpoint}}/indexes", list_indexes, "vector"),
        Route("GET", endpoint_index, get_index, "vector"),
        Route("DELETE", endpoint_index, delete_index, "vector"),
        Route("POST", f"{BASE}/indexes", create_index, "vector"),
        Route("GET", f"{BASE}/indexes", list_indexes, "vector"),
        Route("GET", index, get_index, "vector"),
        Route("DELETE", index, delete_index, "vector"),
        Route("GET", f"{index}/query", query, "vector"),
        Route("POST", f"{index}/query", query, "vector"),
        Route("POST", f"{index}/upsert-data", upsert, "vector"),
        Route("POST", f"{index}/delete-data", delete_data, "vector"),
        Route("DELETE", f"{index}/delete-data", delete_data, "vector"),
        Route("POST", f"{index}/sync", sync, "vector"),
    ]
