"""Finishing or undoing steps left half-done (stores without atomic commits leave them).

A step is half-done when its process stopped (or lost its lease) between
writing its plan and marking it done. For each one whose lease ended, the
sweep takes the lease over and decides from what is stored, never guessing:

- its audit events are all stored: it committed; it is marked done;
- else it is committed again through the writer's pipeline: every write it
  had made is recognised by its stamp and not made twice, the rest land, and
  its events are appended. A write that can no longer land (someone else moved
  that row since) makes the store undo the step instead, and it is marked
  undone: nothing of it remains.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from appkit_domain.errors import StaleVersion
from appkit_domain.ports.clock import Clock
from appkit_domain.ports.governance_store import GovernanceStore
from appkit_domain.unit_of_work.commits import Commits
from appkit_domain.unit_of_work.records import StepsRejected


@dataclass
class RecoveryReport:
    """Ids of the half-done steps a sweep finished and undid; those another sweep took."""

    finished: list[str] = field(default_factory=list)
    undone: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.finished) + len(self.undone)


async def recover_steps(store: GovernanceStore, commits: Commits, clock: Clock) -> RecoveryReport:
    """Finish or undo every half-done step whose lease has ended (see the module docstring)."""
    report = RecoveryReport()
    for step in await store.unfinished(clock.now()):
        step_id = step.step.id
        if not await store.take_over(step_id):
            report.skipped.append(step_id)
            continue
        if await store.events_stored(step):
            await store.settle(step_id, committed=True)
            report.finished.append(step_id)
            continue
        try:
            await commits.commit(step)
        except (StepsRejected, StaleVersion):
            await store.settle(step_id, committed=False)
            report.undone.append(step_id)
            continue
        report.finished.append(step_id)
    return report
