"""The approval store on a SQL warehouse.

One row per request in ``approval_requests``; the payload, the decisions and
the applier's result are canonical JSON columns, so recording a decision is
one conditional ``UPDATE`` (one round trip) rather than a row per decision in
a second table. Each decision also reaches the audit log as its own event.
Statements per call: ``add`` 1, ``get`` 1, ``save`` 1, ``list`` 1, ``due`` 1
(plus one read when an insert or update is refused; see
:mod:`appkit_adapters.sql.stores.versioned`).
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from appkit_adapters.sql.schema import APPROVAL_REQUESTS
from appkit_adapters.sql.stores.conditions import Conditions
from appkit_adapters.sql.stores.values import (
    boolean,
    from_json,
    integer,
    string,
    timestamp,
    to_json,
    utc,
)
from appkit_adapters.sql.stores.versioned import VersionedStore, data_select
from appkit_adapters.sql.warehouse import SqlParameter
from appkit_domain.approvals.model import (
    ApplyClaim,
    ApprovalRequest,
    ApprovalStatus,
    Decision,
    Verdict,
)
from appkit_domain.approvals.payload import thaw
from appkit_domain.audit.chain import format_time
from appkit_domain.errors import InvalidInput
from appkit_domain.pagination import DEFAULT_PAGE_SIZE, Page, check_page_size
from appkit_domain.ports.approval_store import ApprovalStore

_SELECT = data_select(APPROVAL_REQUESTS)


def _decision_json(decision: Decision) -> dict[str, Any]:
    return {
        "principal_id": decision.principal_id,
        "verdict": decision.verdict.value,
        "payload_hash": decision.payload_hash,
        "at": format_time(decision.at),
        "comment": decision.comment,
        "on_behalf_of": decision.on_behalf_of,
    }


def _decision(item: dict[str, Any]) -> Decision:
    return Decision(
        principal_id=item["principal_id"],
        verdict=Verdict(item["verdict"]),
        payload_hash=item["payload_hash"],
        at=utc(item["at"]),
        comment=item.get("comment", ""),
        on_behalf_of=item.get("on_behalf_of"),
    )


def request_params(request: ApprovalRequest) -> list[SqlParameter]:
    """Every stored column but ``version`` (set by the versioned write) and ``write_token``."""
    return [
        string("id", request.id),
        string("kind", request.kind),
        string("target", request.target),
        string("payload", to_json(thaw(request.payload))),
        string("payload_hash", request.payload_hash),
        string("requested_by", request.requested_by),
        string("on_behalf_of", request.on_behalf_of),
        string("status", request.status.value),
        integer("required_approvals", request.required_approvals),
        timestamp("deadline", request.deadline),
        timestamp("created_at", request.created_at),
        timestamp("updated_at", request.updated_at),
        string("decisions", to_json([_decision_json(d) for d in request.decisions])),
        boolean("auto_apply", request.auto_apply),
        boolean("apply_claimed", request.apply_claimed),
        string("result", None if request.result is None else to_json(thaw(request.result))),
        string("failure", request.failure),
        string("reason", request.reason),
        string("applied_by", request.applied_by),
        string("claim_token", request.claim.token if request.claim else None),
        timestamp("claim_until", request.claim.until if request.claim else None),
    ]


def request_from_row(row: dict[str, Any]) -> ApprovalRequest:
    result = from_json(row["result"])
    return ApprovalRequest(
        id=row["id"],
        kind=row["kind"],
        target=row["target"],
        payload=from_json(row["payload"]),
        payload_hash=row["payload_hash"],
        requested_by=row["requested_by"],
        on_behalf_of=row["on_behalf_of"],
        status=ApprovalStatus(row["status"]),
        required_approvals=int(row["required_approvals"]),
        deadline=utc(row["deadline"]),
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
        version=int(row["version"]),
        decisions=tuple(_decision(d) for d in from_json(row["decisions"]) or []),
        auto_apply=bool(row["auto_apply"]),
        claim=(
            ApplyClaim(row["claim_token"], utc(row["claim_until"]))
            if row.get("claim_token") and row.get("claim_until") is not None
            else None
        ),
        result=result,
        failure=row["failure"],
        reason=row["reason"],
        applied_by=row["applied_by"],
    )


def _created_cursor(request: ApprovalRequest) -> list[str]:
    return [format_time(request.created_at), request.id]


class SqlApprovalStore(VersionedStore, ApprovalStore):
    """:class:`ApprovalStore` over the ``approval_requests`` governance table."""

    table_name = APPROVAL_REQUESTS
    what = "approval request"

    async def get(self, approval_id: str) -> ApprovalRequest:
        return request_from_row(await self.rows.one(_SELECT, approval_id))

    async def list(
        self,
        *,
        status: ApprovalStatus | None = None,
        kind: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        page_token: str | None = None,
    ) -> Page[ApprovalRequest]:
        check_page_size(page_size)  # a bad page size is refused before the filters are read
        conditions = Conditions()
        conditions.equal("status", None if status is None else ApprovalStatus(status).value)
        conditions.equal("kind", kind)
        return await self.rows.page(
            _SELECT,
            conditions.where,
            conditions.params,
            order_by="created_at",
            page_size=page_size,
            page_token=page_token,
            item=request_from_row,
            cursor=_created_cursor,
        )

    async def due(self, now: datetime, *, limit: int = 100) -> builtins.list[ApprovalRequest]:
        if limit < 1:
            raise InvalidInput("limit must be at least 1")
        rows = await self.rows.fetch(
            _SELECT,
            "`status` = :status AND `deadline` <= :now",
            [string("status", ApprovalStatus.PENDING.value), timestamp("now", now)],
            tail=f"ORDER BY `deadline`, `id` LIMIT {int(limit)}",
        )
        return [request_from_row(row) for row in rows]
