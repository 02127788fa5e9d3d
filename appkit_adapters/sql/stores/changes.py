"""The write-back change request store on a SQL warehouse.

One row per change in ``change_requests``; the key, the new values and the
before-image are canonical JSON columns. Statements per call:
``add``/``get``/``save``/``query`` 1 each (plus one read when a write is
refused).
"""

from __future__ import annotations

from typing import Any

from appkit_adapters.sql.schema import CHANGE_REQUESTS
from appkit_adapters.sql.stores.conditions import Conditions
from appkit_adapters.sql.stores.values import (
    bigint,
    from_json,
    integer,
    string,
    timestamp,
    to_json,
    utc,
    utc_or_none,
)
from appkit_adapters.sql.stores.versioned import VersionedStore, data_select
from appkit_adapters.sql.warehouse import SqlParameter
from appkit_domain.audit.chain import format_time
from appkit_domain.identifiers import TableName
from appkit_domain.pagination import Page
from appkit_domain.ports.change_store import ChangeStore
from appkit_domain.writeback.change import ChangeRequest, ChangeStatus
from appkit_domain.writeback.query import ChangeQuery

_SELECT = data_select(CHANGE_REQUESTS)


def change_params(change: ChangeRequest) -> list[SqlParameter]:
    return [
        string("id", change.id),
        string("table_name", change.table.full_name),
        string("row_key", to_json(change.key)),
        string("new_values", to_json(change.values)),
        string("before_image", to_json(change.before)),
        string("reason", change.reason),
        string("requested_by", change.requested_by),
        timestamp("created_at", change.created_at),
        timestamp("updated_at", change.updated_at),
        string("status", change.status.value),
        string("approval_id", change.approval_id),
        integer("required_approvals", change.required_approvals),
        string("approvers", to_json(list(change.approvers))),
        string("executed_by", change.executed_by),
        timestamp("applied_at", change.applied_at),
        string("failure", change.failure),
        bigint("table_version", change.table_version),
        bigint("replaced_version", change.replaced_version),
    ]


def change_from_row(row: dict[str, Any]) -> ChangeRequest:
    return ChangeRequest(
        id=row["id"],
        table=TableName.parse(row["table_name"]),
        key=from_json(row["row_key"]),
        values=from_json(row["new_values"]),
        before=from_json(row["before_image"]),
        reason=row["reason"],
        requested_by=row["requested_by"],
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
        status=ChangeStatus(row["status"]),
        approval_id=row["approval_id"],
        required_approvals=int(row["required_approvals"]),
        approvers=tuple(from_json(row["approvers"]) or ()),
        executed_by=row["executed_by"],
        applied_at=utc_or_none(row["applied_at"]),
        failure=row["failure"],
        version=int(row["version"]),
        table_version=_optional_int(row.get("table_version")),
        replaced_version=_optional_int(row.get("replaced_version")),
    )


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _created_cursor(change: ChangeRequest) -> list[str]:
    return [format_time(change.created_at), change.id]


class SqlChangeStore(VersionedStore, ChangeStore):
    """:class:`ChangeStore` over the ``change_requests`` governance table."""

    table_name = CHANGE_REQUESTS
    what = "change request"

    async def get(self, change_id: str) -> ChangeRequest:
        return change_from_row(await self.rows.one(_SELECT, change_id))

    async def query(self, query: ChangeQuery) -> Page[ChangeRequest]:
        conditions = Conditions()
        conditions.one_of("status", (s.value for s in query.statuses))
        conditions.equal("table_name", None if query.table is None else query.table.lower())
        conditions.equal("requested_by", query.requested_by)
        if query.unlinked:
            conditions.add("`table_version` IS NULL")
        return await self.rows.page(
            _SELECT,
            conditions.where,
            conditions.params,
            order_by="created_at",
            page_size=query.page_size,
            page_token=query.page_token,
            item=change_from_row,
            cursor=_created_cursor,
        )
