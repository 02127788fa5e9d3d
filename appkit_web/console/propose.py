"""Console forms that propose: a metric override and a write-back change.

The forms follow the app's configuration (the write-back tables, their key
and writable columns, allowed values); the services validate everything
again, and a refusal is shown on the form with the values kept.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from appkit_domain.approvals.actor import Actor
from appkit_domain.errors import AppkitError, InvalidInput
from appkit_domain.writeback import WritebackRules
from appkit_web.console.rendering import error_page, page, provider
from appkit_web.console.session import CSRF_FIELD, check_csrf
from appkit_web.console.sign_in import signed_in_or_page

router = APIRouter()


def _tables(rules: WritebackRules) -> list[dict[str, Any]]:
    shown = []
    for table in rules.tables:
        table_rules = rules.for_table(table)
        shown.append(
            {
                "name": table.full_name,
                "key_columns": list(table_rules.key_columns),
                "columns": [
                    {
                        "name": name,
                        "allowed": sorted(map(str, rule.allowed)) if rule.allowed else None,
                    }
                    for name, rule in table_rules.writable.items()
                ],
            }
        )
    return shown


async def _form(request: Request, status: int = 200, **values: Any) -> Response:
    rules: WritebackRules = await provider(request, "writeback_rules")
    if "error" in values:
        return await error_page(
            request, values.pop("error"), "propose.html", tables=_tables(rules), **values
        )
    return await page(request, "propose.html", status_code=status, tables=_tables(rules), **values)


@router.get("/propose")
async def propose_page(request: Request) -> Response:
    context = await signed_in_or_page(request)
    if isinstance(context, Response):
        return context
    return await _form(request)


def scalar(text: str) -> Any:
    """A form value as the JSON scalar it spells (``2`` is a number), else the text itself."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, int | float) and not isinstance(value, bool) else text


@router.post("/propose/override")
async def propose_override(
    request: Request,
    entity: str = Form(..., max_length=200),
    metric: str = Form(..., max_length=200),
    period: str = Form(..., max_length=200),
    value: str = Form(..., max_length=100),
    justification: str = Form(..., max_length=2000),
    csrf: str = Form("", alias=CSRF_FIELD),
) -> Response:
    context = await signed_in_or_page(request)
    if isinstance(context, Response):
        return context
    assert context.principal is not None
    entered = {"entity": entity, "metric": metric, "period": period, "value": value,
               "justification": justification}  # fmt: skip
    try:
        check_csrf(request, csrf)
        proposal = await (await provider(request, "overrides")).propose(
            Actor.of(context.principal),
            entity=entity,
            metric=metric,
            period=period,
            value=value,
            justification=justification,
            request_id=context.request_id,
        )
    except AppkitError as refused:
        return await _form(request, error=refused, override=entered)
    return RedirectResponse(
        f"/console/requests/{quote(proposal.approval.id)}?done=proposed", status_code=303
    )


@router.post("/propose/change")
async def propose_change(request: Request) -> Response:
    """Fields: ``table``, ``key.<column>`` per key column, ``column``, ``value``, ``reason``."""
    context = await signed_in_or_page(request)
    if isinstance(context, Response):
        return context
    assert context.principal is not None
    form = await request.form()
    fields = {name: str(value) for name, value in form.items() if isinstance(value, str)}
    try:
        check_csrf(request, fields.get(CSRF_FIELD))
        key = {name[4:]: scalar(v) for name, v in fields.items() if name.startswith("key.")}
        column = fields.get("column", "")
        if not column:
            raise InvalidInput("choose the column to change")
        proposal = await (await provider(request, "writeback")).propose(
            Actor.of(context.principal),
            fields.get("table", ""),
            key,
            {column: fields.get("value", "")},
            fields.get("reason", ""),
            request_id=context.request_id,
        )
    except AppkitError as refused:
        return await _form(request, error=refused, change=fields)
    if proposal.approval_id is None:  # a table configured without approval
        return RedirectResponse("/console/inbox?done=applied", status_code=303)
    return RedirectResponse(
        f"/console/requests/{quote(proposal.approval_id)}?done=proposed", status_code=303
    )
