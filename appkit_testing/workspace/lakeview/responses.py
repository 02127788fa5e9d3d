"""AI/BI (Lakeview) dashboard routes (``/api/2.0/lakeview/dashboards``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appkit_testing.workspace.paging import paginate
from appkit_testing.workspace.routing import Call, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace

BASE = "/api/2.0/lakeview/dashboards"


def routes(workspace: Workspace) -> list[Route]:
    backend = workspace.lakeview

    def create(call: Call) -> Reply:
        return backend.create(call.body, call.identity).to_json()

    def list_dashboards(call: Call) -> Reply:
        found = backend.all(show_trashed=call.bool_arg("show_trashed"))
        page, token = paginate(
            [d.to_json(with_definition=False) for d in found],
            lambda d: str(d["create_time"]) + str(d["dashboard_id"]),
            call.int_arg("page_size"),
            call.query.get("page_token"),
        )
        body: dict[str, object] = {"dashboards": page}
        if token:
            body["next_page_token"] = token
        return body

    def get(call: Call) -> Reply:
        return backend.get(call.match["id"]).to_json()

    def update(call: Call) -> Reply:
        return backend.update(call.match["id"], call.body, call.identity).to_json()

    def trash(call: Call) -> Reply:
        backend.trash(call.match["id"], call.identity)
        return {}

    def publish(call: Call) -> Reply:
        return backend.publish(
            call.match["id"],
            call.arg("warehouse_id"),
            call.arg("embed_credentials"),
            call.identity,
        ).to_json()

    def published(call: Call) -> Reply:
        return backend.published(call.match["id"]).to_json()

    def unpublish(call: Call) -> Reply:
        backend.unpublish(call.match["id"], call.identity)
        return {}

    return [
        Route("POST", BASE, create, "lakeview"),
        Route("GET", BASE, list_dashboards, "lakeview"),
        Route("GET", f"{BASE}/{{id}}", get, "lakeview"),
        Route("PATCH", f"{BASE}/{{id}}", update, "lakeview"),
        Route("DELETE", f"{BASE}/{{id}}", trash, "lakeview"),
        Route("POST", f"{BASE}/{{id}}/published", publish, "lakeview"),
        Route("GET", f"{BASE}/{{id}}/published", published, "lakeview"),
        Route("DELETE", f"{BASE}/{{id}}/published", unpublish, "lakeview"),
    ]
