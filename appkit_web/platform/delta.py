"""Delta operations, and RESTORE and VACUUM as governed actions.

``RESTORE`` and ``VACUUM`` destroy what a table could be read as, so when the
app's policy registry has a maker-checker policy for ``delta_restore`` or
``delta_vacuum`` the route opens an approval request instead of running the
command. Once approved, the approval service claims the request and runs the
registered external action (``Workflow(kind, execute=...)``): the command, as
the app's service principal, exactly once:

- a ``VACUUM`` run again deletes nothing more (it is idempotent);
- a ``RESTORE`` run again after its answer was lost finds its own earlier
  version in the history (a ``RESTORE`` to the same version or time, committed
  after the request was opened) and answers with it instead of restoring twice.

Without such a policy the routes run the commands directly (audited by the
platform gate). Expected failures (the table is missing, the version is gone,
the retention is too short) end the request ``APPLY_FAILED`` with the
warehouse's message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from appkit_adapters.sql.delta import AsOf, DeltaTables
from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_domain.approvals import (
    Actor,
    ApplyContext,
    ApprovalRequest,
    ApprovalService,
    Workflow,
    thaw,
)
from appkit_domain.errors import InvalidInput, Unavailable
from appkit_domain.identifiers import TableName

DELTA_RESTORE_KIND = "delta_restore"
DELTA_VACUUM_KIND = "delta_vacuum"
HISTORY_LOOKBACK = 50
"""History entries searched for a RESTORE that already ran (a repeated execution)."""


def as_of_payload(as_of: AsOf) -> dict[str, Any]:
    if as_of.version is not None:
        return {"version": as_of.version}
    assert as_of.timestamp is not None
    return {"timestamp": as_of.timestamp.astimezone(dt.timezone.utc).isoformat()}


def as_of_from(payload: Mapping[str, Any]) -> AsOf:
    if payload.get("version") is not None:
        return AsOf(version=int(payload["version"]))
    text = payload.get("timestamp")
    if not isinstance(text, str):
        raise InvalidInput("a restore names a version or a timestamp")
    return AsOf(timestamp=dt.datetime.fromisoformat(text))


def _restored_to(entry: Mapping[str, Any], as_of: AsOf) -> bool:
    if entry.get("operation") != "RESTORE":
        return False
    parameters = entry.get("operationParameters") or {}
    if as_of.version is not None:
        return str(parameters.get("version")) == str(as_of.version)
    return parameters.get("version") is None


class DeltaOperations:
    """What the Delta routes call: governed proposals and the actions approvals run.

    ``warehouse`` is the app's (its service principal's); without one (the
    memory backend) the actions are ``Unavailable``.
    """

    def __init__(self, approvals: ApprovalService, warehouse: SqlWarehouse | None) -> None:
        self.approvals = approvals
        self.warehouse = warehouse
        approvals.register(Workflow(DELTA_RESTORE_KIND, execute=self.execute_restore))
        approvals.register(Workflow(DELTA_VACUUM_KIND, execute=self.execute_vacuum))

    def governed(self, kind: str) -> bool:
        """Whether the app's policy puts ``kind`` behind maker-checker."""
        return kind in self.approvals.policies

    async def propose(
        self,
        actor: Actor,
        kind: str,
        table: TableName,
        payload: Mapping[str, Any],
        *,
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> ApprovalRequest:
        """Open the approval request of a governed RESTORE or VACUUM of ``table``."""
        return await self.approvals.submit(
            actor,
            kind,
            f"table:{table.full_name}",
            {"table": table.full_name, **payload},
            request_id=request_id,
            idempotency_key=idempotency_key,
        )

    def _tables(self) -> DeltaTables:
        if self.warehouse is None:
            raise Unavailable("this backend has no SQL warehouse to run Delta commands on")
        return DeltaTables(self.warehouse)

    async def restore_once(
        self, table: TableName, as_of: AsOf, *, since: dt.datetime
    ) -> dict[str, Any]:
        """Restore unless a RESTORE to ``as_of`` committed after ``since`` is in the history."""
        tables = self._tables()
        for entry in await tables.history(table, limit=HISTORY_LOOKBACK):
            at = entry.get("timestamp")
            committed = dt.datetime.fromisoformat(str(at)) if at else None
            if committed is not None and committed.tzinfo is None:
                committed = committed.replace(tzinfo=dt.timezone.utc)
            if committed is not None and committed >= since and _restored_to(entry, as_of):
                return {"table": table.full_name, "version": entry["version"], "repeated": True}
        metrics = await tables.restore(table, as_of)
        latest = await tables.history(table, limit=HISTORY_LOOKBACK)
        version = next((e["version"] for e in latest if _restored_to(e, as_of)), None)
        return {"table": table.full_name, "version": version, "metrics": metrics}

    async def execute_restore(
        self, request: ApprovalRequest, context: ApplyContext, token: str
    ) -> Mapping[str, Any]:
        """The ``delta_restore`` action (see the module docstring)."""
        payload = thaw(request.payload)
        table = TableName.parse(str(payload.get("table", "")))
        done = await self.restore_once(table, as_of_from(payload), since=request.created_at)
        return {**done, "as_of": as_of_payload(as_of_from(payload)), "token": token}

    async def execute_vacuum(
        self, request: ApprovalRequest, context: ApplyContext, token: str
    ) -> Mapping[str, Any]:
        """The ``delta_vacuum`` action: VACUUM is idempotent, a second run deletes nothing."""
        payload = thaw(request.payload)
        table = TableName.parse(str(payload.get("table", "")))
        hours = payload.get("retain_hours")
        deleted = await self._tables().vacuum(
            table, retain_hours=None if hours is None else float(hours)
        )
        return {"table": table.full_name, "paths": deleted[:100], "token": token}
