"""Commands on data-quality exceptions: raise, ingest, acknowledge, resolve, reopen, list.

Waivers go through an approval request; see :mod:`appkit_domain.dq.waiver`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from appkit_domain.audit import AuditLog
from appkit_domain.dq.exception import DqException
from appkit_domain.dq.failure import CheckFailure
from appkit_domain.dq.query import DqQuery
from appkit_domain.dq.recording import IngestReport, Outcome, Recorded
from appkit_domain.dq.recurrence import is_new_detection, recurrence_reason
from appkit_domain.dq.severity import SlaPolicy
from appkit_domain.dq.status import DqStatus
from appkit_domain.errors import Conflict, InvalidInput, PermissionDenied
from appkit_domain.pagination import MAX_PAGE_SIZE, Page
from appkit_domain.ports.clock import Clock
from appkit_domain.ports.dq_store import DqStore
from appkit_domain.ports.ids import IdGenerator
from appkit_domain.principal import Principal
from appkit_domain.versioning import DEFAULT_ATTEMPTS, retry_stale

OwnerResolution = Callable[[CheckFailure], "str | None"]
"""Names the owner of a failure that arrives without one (e.g. by table), or None."""


class DqExceptionService:
    """The data-quality exception workflow.

    Every command takes the acting principal, saves with a version check
    (retrying on fresh state up to ``attempts`` times when another writer
    won) and appends an audit event before it returns.
    """

    def __init__(
        self,
        store: DqStore,
        audit: AuditLog,
        clock: Clock,
        ids: IdGenerator,
        *,
        sla: SlaPolicy | None = None,
        owners: OwnerResolution | None = None,
        default_owner: str | None = None,
        attempts: int = DEFAULT_ATTEMPTS,
    ) -> None:
        self.store = store
        self.audit = audit
        self.clock = clock
        self.ids = ids
        self.sla = sla or SlaPolicy()
        self._owners = owners
        self._default_owner = default_owner
        self._attempts = attempts

    # -- recording failures -------------------------------------------------------------

    async def raise_exception(self, failure: CheckFailure, by: Principal) -> Recorded:
        """Record one failure; idempotent by fingerprint, with :meth:`ingest`'s recurrence rules."""
        return await retry_stale(lambda: self._record(failure, by), self._attempts)

    async def ingest(self, failures: Iterable[CheckFailure], by: Principal) -> IngestReport:
        """Record many failures, e.g. the rows of a check-results table.

        Idempotent: the same failure (same fingerprint, same detection time)
        ingested again changes nothing. A failure of an existing exception
        reopens it or counts an occurrence by the rules of
        :mod:`appkit_domain.dq.recurrence`.
        """
        report = IngestReport()
        for failure in failures:
            report.results.append(await self.raise_exception(failure, by))
        return report

    async def ingest_rows(self, rows: Iterable[Mapping[str, Any]], by: Principal) -> IngestReport:
        """Ingest the rows of a check-results table (see :meth:`CheckFailure.from_row`).

        A row that cannot be read (or has no owner) is reported in
        ``rejected`` and skipped; every other row is ingested as by
        :meth:`ingest`.
        """
        report = IngestReport()
        for index, row in enumerate(rows):
            try:
                failure = CheckFailure.from_row(row)
                report.results.append(await self.raise_exception(failure, by))
            except InvalidInput as exc:
                report.rejected.append((index, exc.message))
        return report

    def _owner_of(self, failure: CheckFailure) -> str:
        owner = failure.owner or (self._owners(failure) if self._owners else None)
        owner = owner or self._default_owner
        if not owner:
            raise InvalidInput(
                f"no owner for check {failure.check!r} on {failure.table.full_name}; "
                "give one or configure owner resolution"
            )
        return owner

    async def _record(self, failure: CheckFailure, by: Principal, lost_races: int = 0) -> Recorded:
        existing = await self.store.find_by_fingerprint(failure.fingerprint)
        if existing is None:
            created = DqException(
                id=self.ids.new_id("dqx-"),
                fingerprint=failure.fingerprint,
                check=failure.check,
                table=failure.table,
                rule=failure.rule,
                severity=failure.severity,
                observed_value=failure.observed_value,
                failing_key=failure.failing_key,
                failing_rows_ref=failure.failing_rows_ref,
                detected_at=failure.detected_at,
                owner=self._owner_of(failure),
                due_at=self.sla.due(failure.severity, failure.detected_at),
            )
            try:
                await self.store.add(created)
            except Conflict:
                # Another ingest stored the same failure first: decide again on its record.
                if lost_races + 1 >= self._attempts:
                    raise
                return await self._record(failure, by, lost_races + 1)
            await self._audit(by, "dq.raise", created, {"exception": created.summary()})
            return Recorded(created, Outcome.CREATED)
        return await self._recur(existing, failure, by)

    async def _recur(self, current: DqException, failure: CheckFailure, by: Principal) -> Recorded:
        at = failure.detected_at
        reason = recurrence_reason(current, at)
        if reason is not None:
            reopened = current.reopened(
                self.clock.now(), reason, self.sla.due(current.severity, at)
            )
            updated = reopened.seen_again(at) if is_new_detection(current, at) else reopened
            updated = _same_version_step(updated, current)
            await self._save(current, updated)
            await self._transition_audit(by, "dq.reopen", current, updated, {"reason": reason})
            return Recorded(updated, Outcome.REOPENED)
        if not is_new_detection(current, at):
            return Recorded(current, Outcome.UNCHANGED)
        updated = current.seen_again(at)
        await self._save(current, updated)
        await self._audit(
            by,
            "dq.detect_again",
            updated,
            {"detected_at": at.isoformat(), "count": updated.occurrences},
        )
        if current.status is DqStatus.WAIVED:
            return Recorded(updated, Outcome.STILL_WAIVED)
        return Recorded(updated, Outcome.SEEN_AGAIN)

    # -- transitions ------------------------------------------------------------------

    async def acknowledge(self, exception_id: str, by: Principal, note: str = "") -> DqException:
        """``OPEN|REOPENED -> ACKNOWLEDGED``; only the owner (or its group) may acknowledge."""

        async def command() -> DqException:
            current = await self.store.get(exception_id)
            self._require_owner(current, by, "acknowledge")
            updated = current.acknowledged(by.id, self.clock.now())
            await self._save(current, updated)
            await self._transition_audit(by, "dq.acknowledge", current, updated, {"note": note})
            return updated

        return await retry_stale(command, self._attempts)

    async def resolve(self, exception_id: str, by: Principal, resolution: str) -> DqException:
        """``ACKNOWLEDGED -> RESOLVED`` with a resolution note; only the owner (or its group)."""
        if not resolution or not resolution.strip():
            raise InvalidInput("resolving an exception needs a resolution note")

        async def command() -> DqException:
            current = await self.store.get(exception_id)
            self._require_owner(current, by, "resolve")
            updated = current.resolved(by.id, self.clock.now(), resolution)
            await self._save(current, updated)
            await self._transition_audit(
                by, "dq.resolve", current, updated, {"resolution": resolution}
            )
            return updated

        return await retry_stale(command, self._attempts)

    async def reopen_expired_waivers(self, by: Principal) -> list[DqException]:
        """Sweep: every ``WAIVED`` exception whose waiver has ended becomes ``REOPENED``.

        "Ended" is judged by the clock port; the SLA restarts at reopening.
        Safe to run concurrently and repeatedly: each exception reopens once.
        """
        reopened: list[DqException] = []
        now = self.clock.now()
        due = await self._all(DqQuery(waiver_ends_by=now, page_size=MAX_PAGE_SIZE))
        for candidate in due:

            async def command(exception_id: str = candidate.id) -> DqException | None:
                current = await self.store.get(exception_id)
                if current.status is not DqStatus.WAIVED or not current.waiver:
                    return None
                if current.waiver.until > now:
                    return None
                updated = current.reopened(
                    now, "waiver_expired", self.sla.due(current.severity, now)
                )
                await self._save(current, updated)
                await self._transition_audit(
                    by, "dq.reopen", current, updated, {"reason": "waiver_expired"}
                )
                return updated

            result = await retry_stale(command, self._attempts)
            if result is not None:
                reopened.append(result)
        return reopened

    # -- reading ----------------------------------------------------------------------

    async def get(self, exception_id: str) -> DqException:
        return await self.store.get(exception_id)

    async def query(self, query: DqQuery) -> Page[DqException]:
        return await self.store.query(query)

    async def overdue(
        self, page_size: int = 50, page_token: str | None = None
    ) -> Page[DqException]:
        """Exceptions past their SLA due time and not RESOLVED or WAIVED, by the clock port."""
        return await self.store.query(
            DqQuery(overdue_at=self.clock.now(), page_size=page_size, page_token=page_token)
        )

    async def _all(self, query: DqQuery) -> list[DqException]:
        items: list[DqException] = []
        token: str | None = None
        while True:
            page = await self.store.query(dataclasses.replace(query, page_token=token))
            items.extend(page.items)
            token = page.next_page_token
            if token is None:
                return items

    # -- shared steps -----------------------------------------------------------------

    @staticmethod
    def _require_owner(current: DqException, by: Principal, verb: str) -> None:
        if not current.is_owned_by(by):
            raise PermissionDenied(
                f"only the owner of exception {current.id} may {verb} it",
                details={"exception_id": current.id},
            )

    async def _save(self, current: DqException, updated: DqException) -> None:
        await self.store.save(updated, expected_version=current.version)

    async def _transition_audit(
        self,
        by: Principal,
        action: str,
        before: DqException,
        after: DqException,
        details: dict[str, Any],
    ) -> None:
        await self._audit(
            by,
            action,
            after,
            {"from": before.status.value, "to": after.status.value, **details},
        )

    async def _audit(
        self,
        by: Principal,
        action: str,
        exception: DqException,
        details: dict[str, Any],
        request_id: str | None = None,
    ) -> None:
        await self.audit.append(
            actor=by.id,
            action=action,
            target=exception.target,
            details={"fingerprint": exception.fingerprint, **details},
            request_id=request_id,
        )


def _same_version_step(updated: DqException, current: DqException) -> DqException:
    """Collapse several in-memory steps into one saved version after ``current``."""
    return dataclasses.replace(updated, version=current.version + 1)
