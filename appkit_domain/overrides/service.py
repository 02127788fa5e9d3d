"""The override service: propose through an approval, apply on approval, read effective values.

Proposing submits an approval request of kind ``metric_override`` whose
payload carries the override (id, key, value, the computed value seen now,
justification, window); its quorum follows materiality. This service
registers that kind's workflow: in the step that approves the request, the
override becomes ``ACTIVE`` exactly as approved and every older ``ACTIVE``
override of the key becomes ``SUPERSEDED`` (kept for history), all in one
commit.

The effective value of a key at the clock's now is the most recently
applied ``ACTIVE`` override whose window covers now, else the computed value.
"Most recently applied" orders by apply time, then id. An apply supersedes
only overrides applied before it that it read as ``ACTIVE``; two applies
racing to supersede the same older override cannot both commit (the second
runs again on fresh state). Should a race leave an older override ``ACTIVE``,
the effective value is still the newer one, and the next apply supersedes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.model import ApprovalRequest
from appkit_domain.approvals.payload import payload_hash
from appkit_domain.approvals.service import ApprovalService
from appkit_domain.approvals.workflow import ApplyContext, Workflow
from appkit_domain.audit.chain import format_time
from appkit_domain.errors import Conflict, InvalidInput, NotFound
from appkit_domain.overrides.model import (
    METRIC_OVERRIDES,
    EffectiveValue,
    MetricKey,
    MetricOverride,
    OverrideStatus,
    to_decimal,
)
from appkit_domain.overrides.policy import OVERRIDE_KIND
from appkit_domain.pagination import DEFAULT_PAGE_SIZE, Page
from appkit_domain.ports.metric_source import MetricSource
from appkit_domain.ports.override_store import OverrideStore
from appkit_domain.unit_of_work import UnitOfWork, UnitsOfWork


@dataclass(frozen=True)
class OverrideProposal:
    """What proposing answers: the override, its approval request, the quorum it needs."""

    override: MetricOverride
    approval: ApprovalRequest

    @property
    def required_approvals(self) -> int:
        return self.approval.required_approvals


@dataclass(frozen=True)
class OverrideHistoryEntry:
    """One override of a key with the approval request that governs it."""

    override: MetricOverride
    approval: ApprovalRequest | None


def _applied_order(override: MetricOverride) -> tuple[datetime, str]:
    """Which of two applied overrides is newer: later apply time, then larger id."""
    return (override.applied_at or override.created_at, override.id)


def _time_text(value: datetime | None) -> str | None:
    return format_time(value) if value is not None else None


class OverrideService:
    """Propose metric overrides and answer which value is effective.

    ``units`` makes the units of work; ``store`` answers the read-side
    queries (overrides in force, history). Registers the ``metric_override``
    workflow on ``approvals``: approving a request activates its override in
    the same step.
    """

    def __init__(
        self,
        units: UnitsOfWork,
        store: OverrideStore,
        approvals: ApprovalService,
        metrics: MetricSource,
    ) -> None:
        self.units = units
        self.store = store
        self.approvals = approvals
        self._metrics = metrics
        self._clock = units.clock
        approvals.register(Workflow(OVERRIDE_KIND, apply=self.apply_approved))

    async def _computed(self, key: MetricKey) -> Decimal | None:
        try:
            return await self._metrics.computed_value(key)
        except NotFound:
            return None

    async def propose(
        self,
        actor: Actor,
        *,
        entity: str,
        metric: str,
        period: str,
        value: Decimal | int | str,
        justification: str,
        effective_from: datetime | None = None,
        effective_to: datetime | None = None,
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> OverrideProposal:
        """Submit an override for approval; the quorum is sized by its materiality.

        ``effective_from`` defaults to now; a window that has already ended is
        ``InvalidInput``. The override (``PENDING``) and its approval request
        are committed together, in one step.
        """
        key = MetricKey(entity, metric, period)
        number = to_decimal(value)
        if not justification or not justification.strip():
            raise InvalidInput("an override needs a justification")
        now = self._clock.now()
        start = effective_from or now
        if effective_to is not None and effective_to <= max(start, now):
            raise InvalidInput("the override's window has ended before it could apply")

        async def body(uow: UnitOfWork) -> OverrideProposal:
            computed = await self._computed(key)
            override_id = uow.ids.new_id("ovr-")
            payload: dict[str, Any] = {
                "override_id": override_id,
                "entity": key.entity,
                "metric": key.metric,
                "period": key.period,
                "value": str(number),
                "computed_value": str(computed) if computed is not None else None,
                "justification": justification,
                "effective_from": _time_text(start),
                "effective_to": _time_text(effective_to),
            }
            approval = await self.approvals.open_in(
                uow, actor, OVERRIDE_KIND, key.target, payload, request_id=request_id
            )
            override = uow.repo(METRIC_OVERRIDES).add(
                MetricOverride(
                    id=override_id,
                    key=key,
                    value=number,
                    computed_value=computed,
                    justification=justification,
                    effective_from=start,
                    effective_to=effective_to,
                    proposed_by=actor.party_id,
                    approval_id=approval.id,
                    created_at=uow.clock.now(),
                )
            )
            return OverrideProposal(override, approval)

        async def replay(outcome: Mapping[str, Any]) -> OverrideProposal:
            return OverrideProposal(
                await self.store.get(str(outcome["override_id"])),
                await self.approvals.get(str(outcome["approval_id"])),
            )

        proposal = await self.units.run(
            "override.propose",
            body,
            outcome=lambda p: {"override_id": p.override.id, "approval_id": p.approval.id},
            principal=actor.party_id,
            idempotency_key=idempotency_key,
            request_hash=payload_hash(
                {
                    "key": key.target,
                    "value": str(number),
                    "justification": justification,
                    "effective_from": _time_text(effective_from),
                    "effective_to": _time_text(effective_to),
                }
            )
            if idempotency_key
            else None,
            replay=replay,
        )
        await self.approvals.announce(proposal.approval)
        return proposal

    async def apply_approved(
        self, uow: UnitOfWork, request: ApprovalRequest, context: ApplyContext
    ) -> Mapping[str, Any]:
        """The ``metric_override`` action: activate exactly the approved override, in ``uow``.

        Every older ``ACTIVE`` override of the key is superseded in the same
        step. ``Conflict`` if the stored override differs from the approved
        payload or is no longer ``PENDING``; ``NotFound`` if it is missing.
        """
        payload = request.payload
        overrides = uow.repo(METRIC_OVERRIDES)
        override = await overrides.get(str(payload["override_id"]))
        expected = {
            "entity": override.key.entity,
            "metric": override.key.metric,
            "period": override.key.period,
            "value": str(override.value),
            "effective_from": _time_text(override.effective_from),
            "effective_to": _time_text(override.effective_to),
        }
        if any(payload.get(name) != text for name, text in expected.items()):
            raise Conflict(f"override {override.id} differs from the approved payload")
        if override.approval_id != request.id:
            raise Conflict(f"override {override.id} belongs to another approval request")
        if override.status is not OverrideStatus.PENDING:
            raise Conflict(f"override {override.id} is already {override.status.value}")
        now = context.now
        activated = overrides.save(
            replace(
                override,
                status=OverrideStatus.ACTIVE,
                applied_at=now,
                approved_by=context.approvers,
            )
        )
        superseded = []
        mine = _applied_order(activated)
        for older in await overrides.find("active_key", override.key.target):
            if older.id != activated.id and _applied_order(older) < mine:
                overrides.save(
                    replace(
                        older,
                        status=OverrideStatus.SUPERSEDED,
                        superseded_by=activated.id,
                        superseded_at=now,
                    )
                )
                superseded.append(older.id)
        return {"override_id": override.id, "value": str(override.value), "superseded": superseded}

    async def effective_value(self, entity: str, metric: str, period: str) -> EffectiveValue:
        """The value in force for the key at the clock's now, and whether it is overridden.

        ``NotFound`` when there is neither a computed value nor an override in force.
        """
        key = MetricKey(entity, metric, period)
        now = self._clock.now()
        computed = await self._computed(key)
        covering = [o for o in await self.store.active(key) if o.covers(now)]
        if covering:
            current = max(covering, key=_applied_order)
            return EffectiveValue(
                key=key,
                value=current.value,
                computed_value=computed,
                overridden=True,
                override_id=current.id,
                approval_id=current.approval_id,
                overridden_by=current.proposed_by,
                approved_by=current.approved_by,
                effective_from=current.effective_from,
                effective_to=current.effective_to,
            )
        if computed is None:
            raise NotFound(f"no value for {key.target}")
        return EffectiveValue(key=key, value=computed, computed_value=computed, overridden=False)

    async def get(self, override_id: str) -> MetricOverride:
        return await self.store.get(override_id)

    async def history(
        self,
        entity: str,
        metric: str,
        period: str,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        page_token: str | None = None,
    ) -> Page[OverrideHistoryEntry]:
        """Every override of the key, oldest first, each with its approval request."""
        key = MetricKey(entity, metric, period)
        page = await self.store.history(key, page_size=page_size, page_token=page_token)
        entries = []
        for override in page.items:
            try:
                approval: ApprovalRequest | None = await self.approvals.get(override.approval_id)
            except NotFound:
                approval = None
            entries.append(OverrideHistoryEntry(override, approval))
        return Page(entries, page.next_page_token)
