"""The write-back change request store on a SQL warehouse.

One row per change in ``change_requests``; the key, the new values and the
before-image are canonical JSON columns. Statements per call:
``add``/``get``/``save``/``query`` 1 each (plus one read when a write is
refused).
"""

from __future__ import annotations

from typing import Any

from appkit_adapters.sql.schema import CHANGE_REQUESTS, TABLES_BY_NAME, GovernanceSchema
from appkit_adapters.sql.stores.values import (
    bigint,
    from_json,
    in_list,
    integer,
    limit_clause,
    string,
    timestamp,
    to_json,
    utc,
    utc_or_none,
)
from appkit_adapters.sql.stores.versioned import VersionedRows
from appkit_adapters.sql.warehouse import SqlParameter, SqlWarehouse
from appkit_domain.audit.chain import format_time
from appkit_domain.errors import InvalidInput, NotFound
from appkit_domain.identifiers import TableName, quote
from appkit_domain.pagination import Page, decode_token, encode_token
from appkit_domain.ports.change_store import ChangeStore
from appkit_domain.writeback.change import ChangeRequest, ChangeStatus
from appkit_domain.writeback.query import ChangeQuery

_DATA_COLUMNS = tuple(c for c in TABLES_BY_NAME[CHANGE_REQUESTS].column_names if c != "write_token")
_SELECT = ", ".join(quote(c) for c in _DATA_COLUMNS)


def _row_params(change: ChangeRequest) -> list[SqlParameter]:
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
    )


class SqlChangeStore(ChangeStore):
    """:class:`ChangeStore` over the ``change_requests`` governance table."""

    def __init__(self, warehouse: SqlWarehouse, location: GovernanceSchema) -> None:
        self.warehouse = warehouse
        self.location = location
        self.rows = VersionedRows(warehouse, location.table(CHANGE_REQUESTS), "change request")

    async def add(self, change: ChangeRequest) -> None:
        values = [*_row_params(change), bigint("version", change.version)]
        await self.rows.insert(change.id, values, unique=("id",))

    async def get(self, change_id: str) -> ChangeRequest:
        rows = await self.rows.fetch(_SELECT, "`id` = :id", [string("id", change_id)])
        if not rows:
            raise NotFound(f"no change request {change_id}")
        return change_from_row(rows[0])

    async def save(self, change: ChangeRequest, expected_version: int) -> None:
        await self.rows.replace(
            change.id,
            _row_params(change)[1:],
            version=change.version,
            expected_version=expected_version,
        )

    async def query(self, query: ChangeQuery) -> Page[ChangeRequest]:
        where = ["TRUE"]
        params: list[SqlParameter] = []
        if query.statuses:
            markers, found = in_list("status", sorted(s.value for s in query.statuses))
            where.append(f"`status` IN {markers}")
            params.extend(found)
        if query.table is not None:
            where.append("`table_name` = :table_name")
            params.append(string("table_name", query.table.lower()))
        if query.requested_by is not None:
            where.append("`requested_by` = :requested_by")
            params.append(string("requested_by", query.requested_by))
        if query.page_token:
            at_text, last_id = decode_token(query.page_token, 2)
            try:
                after = utc(str(at_text))
            except (ValueError, InvalidInput):
                raise InvalidInput("page_token is not valid") from None
            where.append("(`created_at` > :c_at OR (`created_at` = :c_at AND `id` > :c_id))")
            params.extend([timestamp("c_at", after), string("c_id", str(last_id))])
        rows = await self.rows.fetch(
            _SELECT,
            " AND ".join(where),
            params,
            tail=f"ORDER BY `created_at`, `id` {limit_clause(query.page_size)}",
        )
        found_items = [change_from_row(row) for row in rows]
        items = found_items[: query.page_size]
        token = None
        if len(found_items) > query.page_size and items:
            token = encode_token([format_time(items[-1].created_at), items[-1].id])
        return Page(items, token)
