"""AI/BI (Lakeview) dashboards over REST (``/api/2.0/lakeview/dashboards``): list, get,
create from a definition, publish, read the published version.

A definition is the dashboard's JSON document (``serialized_dashboard``, as
a ``.lvdash.json`` file holds it); it is checked to be a JSON object before
it is sent. Publishing the same draft again publishes the same revision, so
``publish`` is safe to repeat.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from databricks.sdk.service.dashboards import Dashboard, PublishedDashboard

from appkit_adapters.databricks.http import DatabricksHttp
from appkit_domain.errors import InvalidInput

LAKEVIEW = "/api/2.0/lakeview/dashboards"


def check_dashboard_id(dashboard_id: str) -> str:
    if not isinstance(dashboard_id, str) or not dashboard_id.isalnum() or len(dashboard_id) > 64:
        raise InvalidInput("a dashboard id is letters and digits")
    return dashboard_id


def check_definition(text: str) -> str:
    try:
        parsed = json.loads(text)
    except ValueError:
        raise InvalidInput("a dashboard definition must be JSON (a .lvdash.json file)") from None
    if not isinstance(parsed, dict):
        raise InvalidInput("a dashboard definition must be a JSON object")
    return text


class Dashboards:
    def __init__(self, http: DatabricksHttp) -> None:
        self.http = http

    async def list(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"page_size": 100}
            if token:
                params["page_token"] = token
            body = await self.http.get(LAKEVIEW, params)
            found.extend(Dashboard.from_dict(d).as_dict() for d in body.get("dashboards") or [])
            token = body.get("next_page_token")
            if not token:
                return found

    async def get(self, dashboard_id: str) -> dict[str, Any]:
        body = await self.http.get(f"{LAKEVIEW}/{quote(check_dashboard_id(dashboard_id))}")
        return Dashboard.from_dict(body).as_dict()

    async def create(
        self,
        display_name: str,
        definition: str,
        *,
        warehouse_id: str | None = None,
        parent_path: str | None = None,
    ) -> dict[str, Any]:
        if not display_name or "/" in display_name:
            raise InvalidInput("a dashboard name is required and has no '/'")
        request: dict[str, Any] = {
            "display_name": display_name,
            "serialized_dashboard": check_definition(definition),
        }
        if warehouse_id:
            request["warehouse_id"] = warehouse_id
        if parent_path:
            request["parent_path"] = parent_path
        return Dashboard.from_dict(await self.http.post(LAKEVIEW, request)).as_dict()

    async def publish(
        self, dashboard_id: str, *, warehouse_id: str | None = None, embed_credentials: bool = True
    ) -> dict[str, Any]:
        request: dict[str, Any] = {"embed_credentials": embed_credentials}
        if warehouse_id:
            request["warehouse_id"] = warehouse_id
        body = await self.http.post(
            f"{LAKEVIEW}/{quote(check_dashboard_id(dashboard_id))}/published",
            request,
            idempotent=True,
        )
        return PublishedDashboard.from_dict(body).as_dict()

    async def published(self, dashboard_id: str) -> dict[str, Any]:
        body = await self.http.get(
            f"{LAKEVIEW}/{quote(check_dashboard_id(dashboard_id))}/published"
        )
        return PublishedDashboard.from_dict(body).as_dict()
