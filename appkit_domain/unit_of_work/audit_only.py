"""A commit pipeline over an audit store alone: for an audit log that is not an app's."""

from __future__ import annotations

from appkit_domain.audit.event import Checkpoint
from appkit_domain.errors import InvalidInput
from appkit_domain.ports.audit_store import AuditStore
from appkit_domain.ports.ids import IdGenerator
from appkit_domain.unit_of_work.commits import Commits
from appkit_domain.unit_of_work.records import CommitBatch, StepCommit


class AuditOnlyStore:
    """An :class:`AuditStore` as the store of a commit pipeline that carries audit events only.

    For an audit log of its own (tests, tools); an app's log shares its
    governance store's pipeline, so steps and plain appends form one chain.
    """

    def __init__(self, store: AuditStore, max_batch: int) -> None:
        if max_batch < 1:
            raise InvalidInput("max_batch must be at least 1")
        self.store = store
        self.max_batch_cost = max_batch

    def cost(self, step: StepCommit) -> int:
        return len(step.events)

    async def head(self, stream: str) -> Checkpoint | None:
        return await self.store.head(stream)

    async def write(self, batch: CommitBatch) -> None:
        if any(step.changes_state for step in batch.steps):
            raise InvalidInput("an audit-only store cannot commit governed state")
        await self.store.append(batch.events)


def audit_only_commits(
    store: AuditStore, ids: IdGenerator, *, stream: str, max_batch: int = 500
) -> Commits:
    """The pipeline of an audit log whose store keeps audit events only."""
    return Commits(AuditOnlyStore(store, max_batch), ids, stream=stream)
