"""The metric override store on a SQL warehouse.

One row per override in ``metric_overrides``; rows are never deleted, so the
table is the history. Values are stored as exact decimal text (a
``Decimal``'s ``str``), so no precision or scale is imposed. Statements per
call: ``add``/``get``/``save``/``active``/``history`` 1 each (plus one read
when a write is refused).
"""

from __future__ import annotations

import builtins
from decimal import Decimal
from typing import Any

from appkit_adapters.sql.schema import METRIC_OVERRIDES
from appkit_adapters.sql.stores.values import (
    from_json,
    string,
    timestamp,
    to_json,
    utc,
    utc_or_none,
)
from appkit_adapters.sql.stores.versioned import VersionedStore, data_select
from appkit_adapters.sql.warehouse import SqlParameter
from appkit_domain.audit.chain import format_time
from appkit_domain.overrides.model import MetricKey, MetricOverride, OverrideStatus
from appkit_domain.pagination import DEFAULT_PAGE_SIZE, Page
from appkit_domain.ports.override_store import OverrideStore

_SELECT = data_select(METRIC_OVERRIDES)
_KEY_MATCH = "`entity` = :entity AND `metric` = :metric AND `period` = :period"


def _key_params(key: MetricKey) -> list[SqlParameter]:
    return [
        string("entity", key.entity),
        string("metric", key.metric),
        string("period", key.period),
    ]


def override_params(override: MetricOverride) -> list[SqlParameter]:
    computed = override.computed_value
    return [
        string("id", override.id),
        *_key_params(override.key),
        string("value", str(override.value)),
        string("computed_value", None if computed is None else str(computed)),
        string("justification", override.justification),
        timestamp("effective_from", override.effective_from),
        timestamp("effective_to", override.effective_to),
        string("proposed_by", override.proposed_by),
        string("approval_id", override.approval_id),
        timestamp("created_at", override.created_at),
        string("status", override.status.value),
        timestamp("applied_at", override.applied_at),
        string("approved_by", to_json(list(override.approved_by))),
        string("superseded_by", override.superseded_by),
        timestamp("superseded_at", override.superseded_at),
    ]


def override_from_row(row: dict[str, Any]) -> MetricOverride:
    computed = row["computed_value"]
    return MetricOverride(
        id=row["id"],
        key=MetricKey(row["entity"], row["metric"], row["period"]),
        value=Decimal(row["value"]),
        computed_value=None if computed is None else Decimal(computed),
        justification=row["justification"],
        effective_from=utc(row["effective_from"]),
        effective_to=utc_or_none(row["effective_to"]),
        proposed_by=row["proposed_by"],
        approval_id=row["approval_id"],
        created_at=utc(row["created_at"]),
        status=OverrideStatus(row["status"]),
        version=int(row["version"]),
        applied_at=utc_or_none(row["applied_at"]),
        approved_by=tuple(from_json(row["approved_by"]) or ()),
        superseded_by=row["superseded_by"],
        superseded_at=utc_or_none(row["superseded_at"]),
    )


def _created_cursor(override: MetricOverride) -> list[str]:
    return [format_time(override.created_at), override.id]


class SqlOverrideStore(VersionedStore, OverrideStore):
    """:class:`OverrideStore` over the ``metric_overrides`` governance table."""

    table_name = METRIC_OVERRIDES
    what = "metric override"

    async def get(self, override_id: str) -> MetricOverride:
        return override_from_row(await self.rows.one(_SELECT, override_id))

    async def active(self, key: MetricKey) -> builtins.list[MetricOverride]:
        rows = await self.rows.fetch(
            _SELECT,
            f"{_KEY_MATCH} AND `status` = :status",
            [*_key_params(key), string("status", OverrideStatus.ACTIVE.value)],
            tail="ORDER BY `applied_at`, `id`",
        )
        return [override_from_row(row) for row in rows]

    async def history(
        self,
        key: MetricKey,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        page_token: str | None = None,
    ) -> Page[MetricOverride]:
        return await self.rows.page(
            _SELECT,
            [_KEY_MATCH],
            _key_params(key),
            order_by="created_at",
            page_size=page_size,
            page_token=page_token,
            item=override_from_row,
            cursor=_created_cursor,
        )
