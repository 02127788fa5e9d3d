"""The audit log service: one writer's chain, appended through its group-commit pipeline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from appkit_domain.audit.chain import normalize_json
from appkit_domain.audit.drafts import EventDraft
from appkit_domain.audit.event import AuditEvent, AuditQuery, Checkpoint
from appkit_domain.audit.redaction import Redactor
from appkit_domain.audit.verify import VerifyReport, verify_streams
from appkit_domain.errors import InvalidInput
from appkit_domain.pagination import Page
from appkit_domain.ports.audit_store import AuditStore
from appkit_domain.ports.clock import Clock
from appkit_domain.ports.ids import IdGenerator

if TYPE_CHECKING:
    from appkit_domain.unit_of_work.commits import Commits


class AuditLog:
    """Appends events to this writer's stream and answers queries over all streams.

    ``append`` returns only after the event is durable in the store. Appends
    and governed steps of this writer go through one
    :class:`~appkit_domain.unit_of_work.commits.Commits` pipeline (``commits``;
    by default one over ``store`` alone), so they share one chain and one
    group commit: concurrent appends share one store write, and each caller
    waits for the batch holding its own event. A failed write fails every
    caller of that batch; nothing is acknowledged that was not stored.
    """

    def __init__(
        self,
        store: AuditStore,
        clock: Clock,
        ids: IdGenerator,
        *,
        stream: str,
        redactor: Redactor | None = None,
        max_batch: int = 500,
        commits: Commits | None = None,
    ) -> None:
        if not stream or not stream.strip():
            raise InvalidInput("an audit stream needs a name")
        self.store = store
        self.stream = stream
        self._clock = clock
        self._ids = ids
        self._redactor = redactor or Redactor()
        if commits is None:
            # An audit log of its own; imported here because units of work build on this package.
            from appkit_domain.unit_of_work.audit_only import audit_only_commits

            commits = audit_only_commits(store, ids, stream=stream, max_batch=max_batch)
        self.commits = commits
        if self.commits.stream != stream:
            raise InvalidInput("the audit log and its commit pipeline name different streams")

    async def append(
        self,
        *,
        actor: str,
        action: str,
        target: str,
        details: Mapping[str, Any] | None = None,
        on_behalf_of: str | None = None,
        request_id: str | None = None,
    ) -> AuditEvent:
        """Record one event and return it once it is durable."""
        for name, value in (("actor", actor), ("action", action), ("target", target)):
            if not value:
                raise InvalidInput(f"an audit event needs a non-empty {name}")
        now = self._clock.now()
        draft = EventDraft(
            id=self._ids.new_id("evt-"),
            at=now,
            actor=actor,
            on_behalf_of=on_behalf_of,
            action=action,
            target=target,
            request_id=request_id,
            details=normalize_json(self._redactor.redact(details or {})),
        )
        return await self.commits.append(draft)

    async def checkpoint(self) -> Checkpoint | None:
        """The head of this writer's stream as stored now; keep it outside the store."""
        return await self.store.head(self.stream)

    async def checkpoints(self) -> list[Checkpoint]:
        """The heads of every stream in the store."""
        heads = [await self.store.head(name) for name in await self.store.streams()]
        return [head for head in heads if head is not None]

    async def verify(self, checkpoints: Iterable[Checkpoint] = ()) -> VerifyReport:
        """Verify every stream; see :func:`appkit_domain.audit.verify.verify_streams`."""
        return await verify_streams(self.store, checkpoints)

    async def query(self, query: AuditQuery) -> Page[AuditEvent]:
        return await self.store.query(query)
