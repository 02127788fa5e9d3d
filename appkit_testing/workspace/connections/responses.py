"""Unity Catalog connections routes (``/api/2.1/unity-catalog/connections``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appkit_testing.workspace.catalog.responses import page_reply
from appkit_testing.workspace.routing import Call, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace

BASE = "/api/2.1/unity-catalog/connections"


def routes(workspace: Workspace) -> list[Route]:
    backend = workspace.connections

    def create(call: Call) -> Reply:
        return backend.create(
            call.arg("name"),
            call.arg("connection_type"),
            call.arg("options"),
            call.arg("comment"),
            call.arg("properties"),
            call.identity,
        ).to_json()

    def list_connections(call: Call) -> Reply:
        return page_reply(call, "connections", [c.to_json() for c in backend.all()])

    def get(call: Call) -> Reply:
        return backend.get(call.match["name"]).to_json()

    def update(call: Call) -> Reply:
        return backend.update(
            call.match["name"], call.arg("options"), call.arg("owner"), call.identity
        ).to_json()

    def delete(call: Call) -> Reply:
        backend.delete(call.match["name"], call.identity)
        return {}

    return [
        Route("POST", BASE, create, "unity-catalog"),
        Route("GET", BASE, list_connections, "unity-catalog"),
        Route("GET", f"{BASE}/{{name}}", get, "unity-catalog"),
        Route("PATCH", f"{BASE}/{{name}}", update, "unity-catalog"),
        Route("DELETE", f"{BASE}/{{name}}", delete, "unity-catalog"),
    ]
