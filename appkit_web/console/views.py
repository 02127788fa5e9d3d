"""What the console shows of a governed object: plain values the templates render.

Nothing here decides anything: whether a button shows is a hint computed
from the same rules the services enforce, and the services decide again
when the button is pressed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from appkit_domain.approvals import ApprovalRequest, ApprovalStatus
from appkit_domain.approvals.payload import thaw
from appkit_domain.dq import DqException, DqStatus
from appkit_domain.dq.waiver import DQ_WAIVER_KIND
from appkit_domain.overrides.policy import OVERRIDE_KIND
from appkit_domain.principal import Principal
from appkit_domain.writeback.service import WRITEBACK_KIND

KIND_LABELS = {
    OVERRIDE_KIND: "Metric override",
    WRITEBACK_KIND: "Write-back change",
    DQ_WAIVER_KIND: "DQ waiver",
}


def when(value: datetime | str | None) -> str:
    """A time as people read it: ``2026-11-20 08:00 UTC`` (text that is no time stays as is)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    else:
        parsed = value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def countdown(deadline: datetime, now: datetime) -> str:
    """``"2 d 3 h left"``, ``"45 min left"`` or ``"expired"``: the time to a deadline, for people."""
    left = deadline - now
    if left <= timedelta(0):
        return "expired"
    minutes = int(left.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h left"
    if hours:
        return f"{hours} h {mins} min left"
    return f"{max(mins, 1)} min left"


@dataclass(frozen=True)
class DiffRow:
    """One field of a proposal: what it is now and what it would become."""

    name: str
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return bool(self.before != self.after)


@dataclass(frozen=True)
class RequestView:
    """An approval request as a row of a list or the head of its page."""

    id: str
    kind: str
    kind_label: str
    target: str
    status: str
    requested_by: str
    requester: str
    created_at: datetime
    deadline: datetime
    countdown: str
    summary: str
    approvals: int
    required_approvals: int
    payload_shown: bool
    diff: list[DiffRow] = field(default_factory=list)
    facts: list[tuple[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    failure: str | None = None
    reason: str = ""

    @property
    def pending(self) -> bool:
        return self.status == ApprovalStatus.PENDING.value


def _override_view(payload: Mapping[str, Any]) -> tuple[str, list[DiffRow], list[tuple[str, Any]]]:
    key = f"{payload.get('entity')} {payload.get('metric')} {payload.get('period')}"
    old, new = payload.get("computed_value"), payload.get("value")
    facts = [
        ("Justification", payload.get("justification")),
        ("Effective from", when(payload.get("effective_from"))),
        ("Effective to", when(payload.get("effective_to")) or "open-ended"),
    ]
    return f"{key}: {old} → {new}", [DiffRow("value", old, new)], facts


def _writeback_view(payload: Mapping[str, Any]) -> tuple[str, list[DiffRow], list[tuple[str, Any]]]:
    before: Mapping[str, Any] = payload.get("before") or {}
    values: Mapping[str, Any] = payload.get("set") or {}
    key = ", ".join(f"{k}={v}" for k, v in (payload.get("key") or {}).items())
    rows = [DiffRow(name, before.get(name), value) for name, value in values.items()]
    changes = ", ".join(f"{r.name} {r.before} → {r.after}" for r in rows)
    facts = [("Table", payload.get("table")), ("Row", key), ("Reason", payload.get("reason"))]
    return f"{payload.get('table')} [{key}]: {changes}", rows, facts


def _waiver_view(payload: Mapping[str, Any]) -> tuple[str, list[DiffRow], list[tuple[str, Any]]]:
    facts = [
        ("Exception", payload.get("exception_id")),
        ("Waived until", when(payload.get("until"))),
        ("Justification", payload.get("justification")),
    ]
    return f"waive {payload.get('exception_id')} until {payload.get('until')}", [], facts


_VIEWS = {
    OVERRIDE_KIND: _override_view,
    WRITEBACK_KIND: _writeback_view,
    DQ_WAIVER_KIND: _waiver_view,
}


def request_view(request: ApprovalRequest, now: datetime, *, show_payload: bool) -> RequestView:
    """``request`` for the console; payload details only when ``show_payload``."""
    payload = thaw(request.payload)
    render = _VIEWS.get(request.kind)
    summary: str = request.target
    diff: list[DiffRow] = []
    facts: list[tuple[str, Any]] = []
    if show_payload:
        if render is not None:
            summary, diff, facts = render(payload)
        else:
            facts = [(name, value) for name, value in payload.items()]
    return RequestView(
        id=request.id,
        kind=request.kind,
        kind_label=kind_label(request.kind),
        target=request.target,
        status=request.status.value,
        requested_by=request.requested_by,
        requester=request.requester,
        created_at=request.created_at,
        deadline=request.deadline,
        countdown=countdown(request.deadline, now)
        if request.status is ApprovalStatus.PENDING
        else "",
        summary=summary if show_payload else f"{request.target} (details hidden)",
        approvals=len({d.party for d in request.approvals}),
        required_approvals=request.required_approvals,
        payload_shown=show_payload,
        diff=diff,
        facts=facts,
        decisions=[d.as_json() for d in request.decisions],
        failure=request.failure,
        reason=request.reason,
    )


@dataclass(frozen=True)
class ExceptionView:
    id: str
    check: str
    table: str
    rule: str
    severity: str
    status: str
    owner: str
    observed_value: Any
    failing_key: str
    due_at: datetime
    overdue: bool
    pending_waiver: str | None
    may_acknowledge: bool
    may_resolve: bool
    may_waive: bool


def owns(principal: Principal, owner: str) -> bool:
    """The DQ service's ownership rule: the owner, or a member of the owning group."""
    return owner == principal.id or owner in principal.groups


def exception_view(
    item: DqException, principal: Principal, roles: frozenset[str], now: datetime, maker_role: str
) -> ExceptionView:
    mine = owns(principal, item.owner)
    return ExceptionView(
        id=item.id,
        check=item.check,
        table=item.table.full_name,
        rule=item.rule,
        severity=item.severity.value,
        status=item.status.value,
        owner=item.owner,
        observed_value=item.observed_value,
        failing_key=item.failing_key,
        due_at=item.due_at,
        overdue=item.status.is_active and now >= item.due_at,
        pending_waiver=item.pending_waiver_approval_id,
        may_acknowledge=mine and item.status in (DqStatus.OPEN, DqStatus.REOPENED),
        may_resolve=mine and item.status is DqStatus.ACKNOWLEDGED,
        may_waive=maker_role in roles
        and item.status is DqStatus.ACKNOWLEDGED
        and item.pending_waiver_approval_id is None,
    )
