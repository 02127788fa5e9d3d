"""Commands on data-quality exceptions: raise, ingest, acknowledge, resolve, reopen, list.

Waivers go through an approval request; see :mod:`appkit_domain.dq.waiver`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from appkit_domain.dq.exception import DQ_EXCEPTIONS, DqException
from appkit_domain.dq.failure import CheckFailure
from appkit_domain.dq.query import DqQuery
from appkit_domain.dq.recording import IngestReport, Outcome, Recorded
from appkit_domain.dq.recurrence import is_new_detection, recurrence_reason
from appkit_domain.dq.severity import SlaPolicy
from appkit_domain.dq.status import DqStatus
from appkit_domain.errors import InvalidInput, PermissionDenied
from appkit_domain.pagination import MAX_PAGE_SIZE, Page
from appkit_domain.ports.dq_store import DqStore
from appkit_domain.principal import Principal
from appkit_domain.unit_of_work import UnitOfWork, UnitsOfWork

OwnerResolution = Callable[[CheckFailure], "str | None"]
"""Names the owner of a failure that arrives without one (e.g. by table), or None."""

INGEST_CHUNK = 50
"""Failures committed together by :meth:`DqExceptionService.ingest` (one step each chunk)."""


class DqExceptionService:
    """The data-quality exception workflow.

    Every command is one step (a unit of work from ``units``): it reads the
    exception, lets it apply its rules, stages the new version and the audit
    event and commits both; a step whose exception moved meanwhile runs again
    on fresh state. ``store`` answers the read-side queries.
    """

    def __init__(
        self,
        units: UnitsOfWork,
        store: DqStore,
        *,
        sla: SlaPolicy | None = None,
        owners: OwnerResolution | None = None,
        default_owner: str | None = None,
        ingest_chunk: int = INGEST_CHUNK,
    ) -> None:
        if ingest_chunk < 1:
            raise InvalidInput("ingest_chunk must be at least 1")
        self.units = units
        self.store = store
        self.clock = units.clock
        self.sla = sla or SlaPolicy()
        self._owners = owners
        self._default_owner = default_owner
        self._chunk = ingest_chunk

    # -- recording failures -------------------------------------------------------------

    async def raise_exception(self, failure: CheckFailure, by: Principal) -> Recorded:
        """Record one failure; idempotent by fingerprint, with :meth:`ingest`'s recurrence rules."""
        (recorded,) = await self._record_all([failure], by)
        return recorded

    async def ingest(self, failures: Iterable[CheckFailure], by: Principal) -> IngestReport:
        """Record many failures, e.g. the rows of a check-results table.

        Idempotent: the same failure (same fingerprint, same detection time)
        ingested again changes nothing. A failure of an existing exception
        reopens it or counts an occurrence by the rules of
        :mod:`appkit_domain.dq.recurrence`. Failures are committed
        ``ingest_chunk`` at a time, each chunk one step.
        """
        report = IngestReport()
        items = list(failures)
        for start in range(0, len(items), self._chunk):
            report.results.extend(await self._record_all(items[start : start + self._chunk], by))
        return report

    async def ingest_rows(self, rows: Iterable[Mapping[str, Any]], by: Principal) -> IngestReport:
        """Ingest the rows of a check-results table (see :meth:`CheckFailure.from_row`).

        A row that cannot be read (or has no owner) is reported in
        ``rejected`` and skipped; every other row is ingested as by
        :meth:`ingest`.
        """
        report = IngestReport()
        failures: list[CheckFailure] = []
        for index, row in enumerate(rows):
            try:
                failure = CheckFailure.from_row(row)
                self._owner_of(failure)
            except InvalidInput as exc:
                report.rejected.append((index, exc.message))
                continue
            failures.append(failure)
        report.results.extend((await self.ingest(failures, by)).results)
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

    async def _record_all(self, failures: list[CheckFailure], by: Principal) -> list[Recorded]:
        async def body(uow: UnitOfWork) -> list[Recorded]:
            return [await self._record(uow, failure, by) for failure in failures]

        return await self.units.run("dq.record", body, subject="a data-quality exception")

    async def _record(self, uow: UnitOfWork, failure: CheckFailure, by: Principal) -> Recorded:
        exceptions = uow.repo(DQ_EXCEPTIONS)
        existing = await exceptions.find_one("fingerprint", failure.fingerprint)
        if existing is None:
            created = exceptions.add(
                DqException(
                    id=uow.ids.new_id("dqx-"),
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
            )
            _audit(uow, by, "dq.raise", created, {"exception": created.summary()})
            return Recorded(created, Outcome.CREATED)
        return self._recur(uow, existing, failure, by)

    def _recur(
        self, uow: UnitOfWork, current: DqException, failure: CheckFailure, by: Principal
    ) -> Recorded:
        exceptions = uow.repo(DQ_EXCEPTIONS)
        at = failure.detected_at
        reason = recurrence_reason(current, at)
        if reason is not None:
            reopened = current.reopened(uow.clock.now(), reason, self.sla.due(current.severity, at))
            updated = exceptions.save(
                reopened.seen_again(at) if is_new_detection(current, at) else reopened
            )
            _transition_audit(uow, by, "dq.reopen", current, updated, {"reason": reason})
            return Recorded(updated, Outcome.REOPENED)
        if not is_new_detection(current, at):
            return Recorded(current, Outcome.UNCHANGED)
        updated = exceptions.save(current.seen_again(at))
        _audit(
            uow,
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

        async def body(uow: UnitOfWork) -> DqException:
            exceptions = uow.repo(DQ_EXCEPTIONS)
            current = await exceptions.get(exception_id)
            require_owner(current, by, "acknowledge")
            updated = exceptions.save(current.acknowledged(by.id, uow.clock.now()))
            _transition_audit(uow, by, "dq.acknowledge", current, updated, {"note": note})
            return updated

        return await self.units.run("dq.acknowledge", body, subject=f"exception {exception_id}")

    async def resolve(self, exception_id: str, by: Principal, resolution: str) -> DqException:
        """``ACKNOWLEDGED -> RESOLVED`` with a resolution note; only the owner (or its group)."""
        if not resolution or not resolution.strip():
            raise InvalidInput("resolving an exception needs a resolution note")

        async def body(uow: UnitOfWork) -> DqException:
            exceptions = uow.repo(DQ_EXCEPTIONS)
            current = await exceptions.get(exception_id)
            require_owner(current, by, "resolve")
            updated = exceptions.save(current.resolved(by.id, uow.clock.now(), resolution))
            _transition_audit(uow, by, "dq.resolve", current, updated, {"resolution": resolution})
            return updated

        return await self.units.run("dq.resolve", body, subject=f"exception {exception_id}")

    async def reopen_expired_waivers(self, by: Principal) -> list[DqException]:
        """Sweep: every ``WAIVED`` exception whose waiver has ended becomes ``REOPENED``.

        "Ended" is judged by the clock port; the SLA restarts at reopening.
        Safe to run concurrently and repeatedly: each exception reopens once.
        """
        reopened: list[DqException] = []
        now = self.clock.now()
        due = await self._all(DqQuery(waiver_ends_by=now, page_size=MAX_PAGE_SIZE))
        for candidate in due:

            async def body(uow: UnitOfWork, exception_id: str = candidate.id) -> DqException | None:
                exceptions = uow.repo(DQ_EXCEPTIONS)
                current = await exceptions.get(exception_id)
                if current.status is not DqStatus.WAIVED or not current.waiver:
                    return None
                if current.waiver.until > now:
                    return None
                updated = exceptions.save(
                    current.reopened(now, "waiver_expired", self.sla.due(current.severity, now))
                )
                _transition_audit(
                    uow, by, "dq.reopen", current, updated, {"reason": "waiver_expired"}
                )
                return updated

            result = await self.units.run("dq.reopen", body)
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


def require_owner(current: DqException, by: Principal, verb: str) -> None:
    """``PermissionDenied`` unless ``by`` owns ``current`` (by id, or through its group)."""
    if not current.is_owned_by(by):
        raise PermissionDenied(
            f"only the owner of exception {current.id} may {verb} it",
            details={"exception_id": current.id},
        )


def _transition_audit(
    uow: UnitOfWork,
    by: Principal,
    action: str,
    before: DqException,
    after: DqException,
    details: dict[str, Any],
) -> None:
    _audit(
        uow, by, action, after, {"from": before.status.value, "to": after.status.value, **details}
    )


def _audit(
    uow: UnitOfWork,
    by: Principal,
    action: str,
    exception: DqException,
    details: dict[str, Any],
) -> None:
    uow.record(
        actor=by.id,
        action=action,
        target=exception.target,
        details={"fingerprint": exception.fingerprint, **details},
    )
