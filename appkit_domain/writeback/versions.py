"""Linking applied changes to the table versions their writes produced, and the evidence.

An auditor asks of a governed change "what did the row look like before, and
which table version holds it?". The version a write produced is assigned by
the warehouse when the write commits, so it cannot be known (or guarded) when
the commit that carries the write, the change's ``APPLIED`` state and its
``writeback.apply`` audit event is built: on a SQL warehouse the audit events
are chained before the statement runs. It is found afterwards, from the
table's history, as the first version after the apply that turned the row
from the change's whole before-image into its new values
(:meth:`~appkit_domain.ports.table_versions.TableVersions.version_of_write`).
That answer does not depend on how the write was committed (one atomic
block, or step by step), and a commit sent again after a lost answer writes
nothing and so makes no version to confuse it.

:meth:`VersionLinks.link` records the answer once, as its own governed step:
the change gets ``table_version``/``replaced_version`` and the audit log a
``writeback.versioned`` event naming both and the ``writeback.apply`` step it
completes. Linking again is a no-op. :meth:`VersionLinks.evidence` reads the
row as of both versions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from appkit_domain.errors import InvalidInput, Unavailable
from appkit_domain.ports.change_store import ChangeStore
from appkit_domain.ports.table_versions import TableVersions
from appkit_domain.principal import Principal
from appkit_domain.unit_of_work import UnitOfWork, UnitsOfWork
from appkit_domain.writeback.change import CHANGE_REQUESTS, ChangeRequest, ChangeStatus
from appkit_domain.writeback.query import ChangeQuery

LINK_SWEEP_LIMIT = 100


@dataclass(frozen=True)
class Evidence:
    """The row of a linked change as the version before and the version after hold it."""

    change: ChangeRequest
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


class VersionLinks:
    """Links ``APPLIED`` changes to their table versions (see the module docstring)."""

    def __init__(
        self,
        changes: ChangeStore,
        units: UnitsOfWork,
        versions: TableVersions,
        *,
        service_principal: Principal,
    ) -> None:
        self.changes = changes
        self.units = units
        self.versions = versions
        self.service_principal = service_principal

    async def link(self, change_id: str, *, request_id: str | None = None) -> ChangeRequest:
        """The change with its versions recorded (recording them now if they were not).

        ``InvalidInput`` for a change that is not ``APPLIED``; ``Unavailable``
        when the table's history does not show the write (yet).
        """
        change = await self.changes.get(change_id)
        if change.table_version is not None:
            return change
        if change.status is not ChangeStatus.APPLIED or change.applied_at is None:
            raise InvalidInput(
                f"change {change_id} is {change.status.value}: only an applied change has versions"
            )
        found = await self.versions.version_of_write(
            change.table, change.key, change.before, change.values, change.applied_at
        )
        if found is None:
            raise Unavailable(
                f"the history of {change.table.full_name} does not show the write of change "
                f"{change_id} (yet, or any more)"
            )

        async def body(uow: UnitOfWork) -> ChangeRequest:
            repo = uow.repo(CHANGE_REQUESTS)
            current = await repo.get(change_id)
            if current.table_version is not None:
                return current
            linked = repo.save(current.linked(found.produced, uow.clock.now()))
            uow.record(
                actor=self.service_principal.id,
                action="writeback.versioned",
                target=linked.target,
                request_id=request_id,
                details={
                    "table": linked.table.full_name,
                    "key": dict(linked.key),
                    "replaced_version": found.replaced,
                    "produced_version": found.produced,
                    "applied_at": linked.applied_at,
                    "completes": "writeback.apply",
                },
            )
            return linked

        return await self.units.run("writeback.link_versions", body, subject=f"change {change_id}")

    async def link_pending(self, *, limit: int = LINK_SWEEP_LIMIT) -> int:
        """Link up to ``limit`` applied changes that have no versions yet; how many were."""
        linked = 0
        page_token: str | None = None
        while linked < limit:
            page = await self.changes.query(
                ChangeQuery(
                    statuses=frozenset({ChangeStatus.APPLIED}),
                    unlinked=True,
                    page_token=page_token,
                )
            )
            for change in page.items:
                if linked >= limit:
                    break
                try:
                    await self.link(change.id)
                except Unavailable:
                    continue  # not visible yet: the next sweep tries again
                linked += 1
            page_token = page.next_page_token
            if page_token is None:
                break
        return linked

    async def evidence(self, change_id: str, *, request_id: str | None = None) -> Evidence:
        """The row as of the version the change replaced and the one it produced."""
        change = await self.link(change_id, request_id=request_id)
        assert change.table_version is not None and change.replaced_version is not None
        before = await self.versions.row_at(change.table, change.key, change.replaced_version)
        after = await self.versions.row_at(change.table, change.key, change.table_version)
        return Evidence(change, before, after)
