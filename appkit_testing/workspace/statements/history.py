"""Query history (``GET /api/2.0/sql/history/queries``) from the statements the workspace ran.

Filters: ``filter_by.query_start_time_range.{start,end}_time_ms``, ``filter_by.statuses``,
``filter_by.user_ids`` (principal names), ``filter_by.warehouse_ids``; ``max_results``
(default 100, at most 1000) and ``page_token`` page newest first. A non-admin sees only
the statements they ran, as on Databricks without CAN MANAGE on the warehouse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appkit_domain.errors import InvalidInput
from appkit_domain.pagination import decode_token, encode_token
from appkit_testing.workspace.control.stats import StatementRecord
from appkit_testing.workspace.errors import invalid_parameter
from appkit_testing.workspace.routing import Call, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace

_STATUS = {
    "SUCCEEDED": "FINISHED",
    "FAILED": "FAILED",
    "CANCELED": "CANCELED",
    "CLOSED": "FINISHED",
}


def _values(call: Call, name: str) -> list[str]:
    raw = call.query.get(f"filter_by.{name}")
    return [v for v in str(raw).split(",") if v] if raw else []


def routes(workspace: Workspace) -> list[Route]:
    def info(record: StatementRecord) -> dict[str, Any]:
        body: dict[str, Any] = {
            "query_id": record.statement_id,
            "query_text": record.statement,
            "status": _STATUS.get(record.state, record.state),
            "user_name": record.principal,
            "executed_as_user_name": record.principal,
            "warehouse_id": workspace.warehouse_id,
            "endpoint_id": workspace.warehouse_id,
            "statement_type": record.kind,
            "query_start_time_ms": record.started_ms,
        }
        if record.ended_ms is not None:
            body["query_end_time_ms"] = record.ended_ms
            body["duration"] = record.ended_ms - record.started_ms
        if record.error:
            body["error_message"] = record.error
        return body

    def list_queries(call: Call) -> Reply:
        start = call.int_arg("filter_by.query_start_time_range.start_time_ms")
        end = call.int_arg("filter_by.query_start_time_range.end_time_ms")
        statuses, users = _values(call, "statuses"), _values(call, "user_ids")
        warehouses = _values(call, "warehouse_ids")
        size = min(call.int_arg("max_results", 100) or 100, 1000)
        found = []
        for record in reversed(workspace.stats.statements()):
            status = _STATUS.get(record.state, record.state)
            if not call.identity.is_admin and record.principal != call.identity.name:
                continue
            if start is not None and record.started_ms < start:
                continue
            if end is not None and record.started_ms >= end:
                continue
            if (statuses and status not in statuses) or (users and record.principal not in users):
                continue
            if warehouses and workspace.warehouse_id not in warehouses:
                continue
            found.append(record)
        offset = 0
        token = call.query.get("page_token")
        if token:
            try:
                (offset,) = (int(v) for v in decode_token(token, 1))
            except (InvalidInput, ValueError):
                raise invalid_parameter("Invalid page_token.") from None
        page = found[offset : offset + size]
        body: dict[str, Any] = {"res": [info(r) for r in page]}
        more = offset + size < len(found)
        body["has_next_page"] = more
        if more:
            body["next_page_token"] = encode_token([offset + size])
        return body

    return [Route("GET", "/api/2.0/sql/history/queries", list_queries, "sql")]
