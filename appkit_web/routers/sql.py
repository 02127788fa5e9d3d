"""``POST /api/sql/query``: one read-only statement, run as the user, row-limited, audited."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from appkit_domain.audit import AuditLog
from appkit_web.deps import provided, signed_in
from appkit_web.request_context import RequestContext
from appkit_web.routers.input_rules import finite_values
from appkit_web.schemas.common import Input, problem_responses
from appkit_web.settings import Settings
from appkit_web.sql_guard import check_read_only
from appkit_web.user_warehouses import UserWarehouses

router = APIRouter(prefix="/sql", tags=["sql"])

Scalar = str | int | float | bool | None


class QueryIn(Input):
    statement: str = Field(
        ...,
        min_length=1,
        max_length=20_000,
        examples=["SELECT entity, metric, value FROM demo.risk.metrics WHERE entity = :entity"],
    )
    parameters: dict[str, Scalar] = Field(
        default_factory=dict, examples=[{"entity": "ACME"}], max_length=100
    )
    row_limit: int | None = Field(None, ge=1, le=100_000)


class ColumnOut(BaseModel):
    name: str
    type: str


class QueryOut(BaseModel):
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]
    truncated: bool


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


@router.post(
    "/query", response_model=QueryOut, responses=problem_responses(400, 401, 403, 404, 429, 503)
)
async def query(
    body: QueryIn,
    context: RequestContext = Depends(signed_in),
    warehouses: UserWarehouses = Depends(provided("user_warehouses")),
    audit: AuditLog = Depends(provided("audit_log")),
    settings: Settings = Depends(provided("settings")),
) -> QueryOut:
    """Run one SELECT/WITH/SHOW/DESCRIBE statement as the caller.

    Values travel as named parameters (``:name``). Anything that is not a
    single read-only statement is refused (400 ``not_read_only``) before it
    reaches the warehouse; so is a statement naming a table of the app's
    governance schema (403 ``governance_table``: the audit log and approval
    payloads are read through their routes). At most ``APPKIT_SQL_ROW_LIMIT``
    rows come back.
    """
    principal = context.principal
    assert principal is not None
    governance = (settings.catalog, settings.schema_name)
    statement = check_read_only(body.statement, protected_schemas=frozenset({governance}))
    finite_values(body.parameters, "parameters")
    limit = min(body.row_limit or settings.sql_row_limit, settings.sql_row_limit)
    warehouse = warehouses.for_user(principal, context.user_token)
    result = await warehouse.execute(
        statement.text, body.parameters or None, row_limit=limit, idempotent=True
    )
    rows = result.dicts()
    truncated = result.truncated or len(rows) > limit
    rows = rows[:limit]
    await audit.append(
        actor=principal.id,
        action="sql.query",
        target="sql",
        request_id=context.request_id,
        details={
            "statement": statement.text,
            "kind": statement.kind,
            "parameters": sorted(body.parameters),
            "rows": len(rows),
            "truncated": truncated,
            "identity_mode": context.identity_mode,
        },
    )
    return QueryOut(
        columns=[ColumnOut(name=c.name, type=c.type_text or c.type_name) for c in result.columns],
        rows=[{k: _json_value(v) for k, v in row.items()} for row in rows],
        truncated=truncated,
    )
