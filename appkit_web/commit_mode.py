"""How this app's governed steps commit, chosen once at start-up, and the recovery sweep.

On a SQL backend, ``APPKIT_ATOMIC_COMMITS`` decides: ``on`` requires atomic
``BEGIN ATOMIC ... END`` commits (start-up fails with the warehouse's reason
if one cannot run), ``off`` commits step by step, ``auto`` probes once
(:func:`~appkit_adapters.sql.governance.probe.atomic_commits_refused`) and
picks. Step by step, a write-back table needs an audit column only its change
sets (``change_id``, ``approval_id`` or ``updated_at``): start-up refuses one
without, naming it.

The recovery sweep finishes or undoes steps left half-done and runs again
external actions whose claim expired; it runs at start-up, every
``APPKIT_RECOVERY_INTERVAL_SECONDS``, and as ``lakehouse-appkit approvals recover``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from appkit_adapters.sql.governance.probe import atomic_commits_refused
from appkit_adapters.sql.governance.store import SqlGovernanceStore
from appkit_domain.approvals import Actor, ApprovalService
from appkit_domain.errors import NotFound
from appkit_domain.identifiers import TableName
from appkit_domain.ports.clock import Clock
from appkit_domain.ports.governance_store import GovernanceStore
from appkit_domain.ports.governed_table import GovernedTable
from appkit_domain.principal import Principal
from appkit_domain.unit_of_work import Commits, recover_steps
from appkit_domain.writeback import WritebackRules
from appkit_web.settings import AtomicCommits, Settings, SettingsError

log = logging.getLogger("appkit_web.commit_mode")

ATOMIC = "atomic"
STEP_BY_STEP = "step-by-step"
ONE_SWAP = "in-memory"
DEFERRED = "chosen at the first commit"


async def choose_commit_mode(
    store: GovernanceStore,
    settings: Settings,
    rules: WritebackRules,
    governed: GovernedTable,
) -> str:
    """Set ``store`` to commit atomically or step by step; returns which (see the module)."""
    if not isinstance(store, SqlGovernanceStore):
        return ONE_SWAP
    tables = await _existing(rules.tables, governed)
    mode = settings.atomic_commits
    if mode is AtomicCommits.OFF:
        store.atomic = False
    else:
        try:
            reason = await atomic_commits_refused(store.warehouse, store.location, tables)
        except NotFound as missing:
            log.warning(
                "the governance tables are not there yet (%s): run `lakehouse-appkit db init`; "
                "the commit mode is chosen at the first commit",
                missing.message,
            )
            store.atomic = None
            store.decide = lambda: _decide_later(store, mode, tables)
            return DEFERRED
        if reason is None:
            store.atomic = True
        elif mode is AtomicCommits.ON:
            raise SettingsError(
                f"APPKIT_ATOMIC_COMMITS=on but the warehouse refused an atomic block: {reason}"
            )
        else:
            store.atomic = False
            log.warning(
                "committing step by step: the warehouse refused an atomic block: %s", reason
            )
    if not store.atomic:
        for table in tables:
            audit = rules.for_table(table).audit_columns
            columns = {c.lower() for c in await governed.column_types(table)}
            stamps = [c for c in (audit.change_id, audit.approval_id, audit.updated_at) if c]
            if not any(c.lower() in columns for c in stamps):
                raise SettingsError(
                    f"write-back table {table.full_name} has no audit column only its change "
                    "sets (change_id, approval_id or updated_at), which committing step by "
                    "step needs; add one or enable atomic commits"
                )
    log.info("governed steps commit %s", ATOMIC if store.atomic else STEP_BY_STEP)
    return ATOMIC if store.atomic else STEP_BY_STEP


async def _decide_later(
    store: SqlGovernanceStore, mode: AtomicCommits, tables: list[TableName]
) -> bool:
    reason = await atomic_commits_refused(store.warehouse, store.location, tables)
    if reason is not None and mode is AtomicCommits.ON:
        raise SettingsError(
            f"APPKIT_ATOMIC_COMMITS=on but the warehouse refused an atomic block: {reason}"
        )
    if reason is not None:
        log.warning("committing step by step: the warehouse refused an atomic block: %s", reason)
    return reason is None


async def _existing(tables: list[TableName], governed: GovernedTable) -> list[TableName]:
    found = []
    for table in tables:
        try:
            await governed.column_types(table)
        except NotFound:
            log.warning("write-back table %s does not exist (yet)", table.full_name)
            continue
        found.append(table)
    return found


@dataclass(frozen=True)
class RecoverySummary:
    """What one recovery sweep did."""

    steps_finished: int
    steps_undone: int
    actions_settled: int

    def as_json(self) -> dict[str, Any]:
        return {
            "steps_finished": self.steps_finished,
            "steps_undone": self.steps_undone,
            "actions_settled": self.actions_settled,
        }


async def recover(
    store: GovernanceStore,
    commits: Commits,
    clock: Clock,
    approvals: ApprovalService,
    service_principal: Principal,
) -> RecoverySummary:
    """One sweep: half-done steps, then external actions whose claim expired.

    Governance tables that do not exist yet leave nothing to recover (a warning says so).
    """
    try:
        report = await recover_steps(store, commits, clock)
        settled = await approvals.recover_claims(Actor.of(service_principal))
    except NotFound as missing:
        log.warning("nothing to recover: %s", missing.message)
        return RecoverySummary(0, 0, 0)
    if report.total or settled:
        log.info(
            "recovery finished %d steps, undid %d, settled %d actions",
            len(report.finished),
            len(report.undone),
            settled,
        )
    return RecoverySummary(len(report.finished), len(report.undone), settled)
