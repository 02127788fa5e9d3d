"""Publishing a dashboard as a governed action.

When the app's approval policies name ``dashboard_publish``, ``POST
/api/dashboards/{id}/publish`` opens an approval request instead of
publishing; once approved, the approval service runs this external action
(``Workflow(kind, execute=...)``) as the app's service principal. Publishing
the same draft again publishes the same revision, so a run repeated by
recovery changes nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from appkit_domain.approvals import (
    Actor,
    ApplyContext,
    ApprovalRequest,
    ApprovalService,
    Workflow,
    thaw,
)
from appkit_domain.errors import Unavailable
from appkit_web.platform.gate import PlatformServices

DASHBOARD_PUBLISH_KIND = "dashboard_publish"


class DashboardPublishing:
    """The ``dashboard_publish`` workflow; ``platform`` is None without a workspace."""

    def __init__(self, approvals: ApprovalService, platform: PlatformServices | None) -> None:
        self.approvals = approvals
        self.platform = platform
        approvals.register(Workflow(DASHBOARD_PUBLISH_KIND, execute=self.execute))

    def governed(self) -> bool:
        return DASHBOARD_PUBLISH_KIND in self.approvals.policies

    async def propose(
        self,
        actor: Actor,
        dashboard_id: str,
        payload: Mapping[str, Any],
        *,
        request_id: str | None = None,
    ) -> ApprovalRequest:
        return await self.approvals.submit(
            actor,
            DASHBOARD_PUBLISH_KIND,
            f"dashboard:{dashboard_id}",
            {"dashboard_id": dashboard_id, **payload},
            request_id=request_id,
        )

    async def execute(
        self, request: ApprovalRequest, context: ApplyContext, token: str
    ) -> Mapping[str, Any]:
        if self.platform is None:
            raise Unavailable("this backend has no workspace to publish dashboards on")
        payload = thaw(request.payload)
        published = await self.platform.as_service().dashboards.publish(
            str(payload["dashboard_id"]),
            warehouse_id=payload.get("warehouse_id"),
            embed_credentials=bool(payload.get("embed_credentials", True)),
        )
        return {"dashboard_id": payload["dashboard_id"], "published": published, "token": token}
