"""The data-quality exception store on a SQL warehouse.

One row per exception in ``dq_exceptions``. ``add`` is one ``MERGE`` whose
match covers both the id and the fingerprint, so the same failure ingested
twice (even concurrently) is stored once. The observed value is kept as JSON
text so its type (number, text, boolean) survives. Statements per call:
``add``/``get``/``find_by_fingerprint``/``save``/``query`` 1 each (plus one
read when a write is refused).
"""

from __future__ import annotations

from typing import Any

from appkit_adapters.sql.schema import DQ_EXCEPTIONS
from appkit_adapters.sql.stores.conditions import Conditions
from appkit_adapters.sql.stores.values import (
    bigint,
    from_json,
    in_list,
    string,
    timestamp,
    to_json,
    utc,
    utc_or_none,
)
from appkit_adapters.sql.stores.versioned import VersionedStore, data_select
from appkit_adapters.sql.warehouse import SqlParameter
from appkit_domain.dq.exception import DqException, Waiver
from appkit_domain.dq.query import DqQuery
from appkit_domain.dq.severity import Severity
from appkit_domain.dq.status import CLOSED, DqStatus
from appkit_domain.identifiers import TableName
from appkit_domain.pagination import Page
from appkit_domain.ports.dq_store import DqStore

_SELECT = data_select(DQ_EXCEPTIONS)


def exception_params(item: DqException) -> list[SqlParameter]:
    waiver = item.waiver
    return [
        string("id", item.id),
        string("fingerprint", item.fingerprint),
        string("check_name", item.check),
        string("table_name", item.table.full_name),
        string("rule", item.rule),
        string("severity", item.severity.value),
        string("observed_value", to_json(item.observed_value)),
        string("failing_key", item.failing_key),
        string("failing_rows_ref", item.failing_rows_ref),
        timestamp("detected_at", item.detected_at),
        string("owner", item.owner),
        timestamp("due_at", item.due_at),
        string("status", item.status.value),
        timestamp("last_detected_at", item.last_detected_at),
        bigint("occurrences", item.occurrences),
        string("acknowledged_by", item.acknowledged_by),
        timestamp("acknowledged_at", item.acknowledged_at),
        string("resolved_by", item.resolved_by),
        timestamp("resolved_at", item.resolved_at),
        string("resolution", item.resolution),
        string("waiver_approval_id", waiver.approval_id if waiver else None),
        string("waiver_justification", waiver.justification if waiver else None),
        timestamp("waiver_until", waiver.until if waiver else None),
        timestamp("waiver_granted_at", waiver.granted_at if waiver else None),
        string("pending_waiver_approval_id", item.pending_waiver_approval_id),
        timestamp("reopened_at", item.reopened_at),
        string("reopen_reason", item.reopen_reason),
    ]


def exception_from_row(row: dict[str, Any]) -> DqException:
    waiver = None
    if row["waiver_approval_id"] is not None:
        waiver = Waiver(
            approval_id=row["waiver_approval_id"],
            justification=row["waiver_justification"] or "",
            until=utc(row["waiver_until"]),
            granted_at=utc(row["waiver_granted_at"]),
        )
    return DqException(
        id=row["id"],
        fingerprint=row["fingerprint"],
        check=row["check_name"],
        table=TableName.parse(row["table_name"]),
        rule=row["rule"],
        severity=Severity(row["severity"]),
        observed_value=from_json(row["observed_value"]),
        failing_key=row["failing_key"],
        failing_rows_ref=row["failing_rows_ref"],
        detected_at=utc(row["detected_at"]),
        owner=row["owner"],
        due_at=utc(row["due_at"]),
        status=DqStatus(row["status"]),
        last_detected_at=utc_or_none(row["last_detected_at"]),
        occurrences=int(row["occurrences"]),
        acknowledged_by=row["acknowledged_by"],
        acknowledged_at=utc_or_none(row["acknowledged_at"]),
        resolved_by=row["resolved_by"],
        resolved_at=utc_or_none(row["resolved_at"]),
        resolution=row["resolution"],
        waiver=waiver,
        pending_waiver_approval_id=row["pending_waiver_approval_id"],
        reopened_at=utc_or_none(row["reopened_at"]),
        reopen_reason=row["reopen_reason"],
        version=int(row["version"]),
    )


def _detected_cursor(item: DqException) -> list[str]:
    return [item.detected_at.isoformat(), item.id]


class SqlDqStore(VersionedStore, DqStore):
    """:class:`DqStore` over the ``dq_exceptions`` governance table."""

    table_name = DQ_EXCEPTIONS
    what = "data-quality exception"

    async def get(self, exception_id: str) -> DqException:
        return exception_from_row(await self.rows.one(_SELECT, exception_id))

    async def find_by_fingerprint(self, fingerprint: str) -> DqException | None:
        rows = await self.rows.fetch(
            _SELECT, "`fingerprint` = :fingerprint", [string("fingerprint", fingerprint)]
        )
        return exception_from_row(rows[0]) if rows else None

    async def query(self, query: DqQuery) -> Page[DqException]:
        conditions = Conditions()
        conditions.one_of("status", (s.value for s in query.statuses))
        conditions.one_of("severity", (s.value for s in query.severities))
        conditions.equal("table_name", None if query.table is None else query.table.lower())
        conditions.equal("owner", query.owner)
        conditions.equal("check_name", query.check)
        if query.overdue_at is not None:
            markers, found = in_list("closed", sorted(s.value for s in CLOSED))
            conditions.add(
                f"`status` NOT IN {markers} AND `due_at` < :overdue_at",
                *found,
                timestamp("overdue_at", query.overdue_at),
            )
        if query.waiver_ends_by is not None:
            conditions.add(
                "`status` = :waived AND `waiver_until` IS NOT NULL "
                "AND `waiver_until` <= :waiver_ends_by",
                string("waived", DqStatus.WAIVED.value),
                timestamp("waiver_ends_by", query.waiver_ends_by),
            )
        return await self.rows.page(
            _SELECT,
            conditions.where,
            conditions.params,
            order_by="detected_at",
            page_size=query.page_size,
            page_token=query.page_token,
            item=exception_from_row,
            cursor=_detected_cursor,
        )
