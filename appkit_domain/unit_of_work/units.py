"""Beginning units of work, and the one stale-version retry every governed step uses.

:meth:`UnitsOfWork.run` runs a step body in a fresh unit of work and commits
what it staged. When the store refuses the commit because something the step
read has moved (``StaleVersion``), the body runs again in a new unit that
reads fresh state, at most ``attempts`` times; then
:class:`~appkit_domain.errors.ConcurrentModification`. A body must only read,
decide and stage: it runs again from the start on every attempt.

Idempotent requests: with an ``idempotency_key`` (and the ``principal`` it
belongs to), a step already committed for that key is not run again; its
recorded outcome is handed to ``replay``, which answers as the first call did.
The same key with a different ``request_hash`` is refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from appkit_domain.audit.redaction import Redactor
from appkit_domain.errors import ConcurrentModification, Conflict, InvalidInput, StaleVersion
from appkit_domain.ports.clock import Clock
from appkit_domain.ports.governance_store import GovernanceStore
from appkit_domain.ports.ids import IdGenerator
from appkit_domain.unit_of_work.commits import Commits
from appkit_domain.unit_of_work.unit import UnitOfWork

T = TypeVar("T")

DEFAULT_ATTEMPTS = 5
"""How many times a step runs before a refused commit is given up on."""

Body = Callable[[UnitOfWork], Awaitable[T]]


class IdempotencyKeyReused(Conflict):
    """A client sent an idempotency key it already used for a different request."""

    code = "idempotency_key_reused"


class UnitsOfWork:
    """Makes units of work over one store and one commit pipeline."""

    def __init__(
        self,
        store: GovernanceStore,
        commits: Commits,
        clock: Clock,
        ids: IdGenerator,
        *,
        redactor: Redactor | None = None,
        attempts: int = DEFAULT_ATTEMPTS,
    ) -> None:
        if attempts < 1:
            raise InvalidInput("attempts must be at least 1")
        self.store = store
        self.commits = commits
        self.clock = clock
        self.ids = ids
        self.redactor = redactor or Redactor()
        self.attempts = attempts

    def begin(
        self,
        name: str,
        *,
        principal: str | None = None,
        idempotency_key: str | None = None,
        request_hash: str | None = None,
        fresh: bool = False,
    ) -> UnitOfWork:
        """A new unit of work for the step ``name`` (use it as ``async with``)."""
        return UnitOfWork(
            self.store,
            self.commits,
            self.clock,
            self.ids,
            name=name,
            redactor=self.redactor,
            principal=principal,
            idempotency_key=idempotency_key,
            request_hash=request_hash,
            fresh=fresh,
        )

    async def run(
        self,
        name: str,
        body: Body[T],
        *,
        outcome: Callable[[T], Mapping[str, Any]] | None = None,
        principal: str | None = None,
        idempotency_key: str | None = None,
        request_hash: str | None = None,
        replay: Callable[[Mapping[str, Any]], Awaitable[T]] | None = None,
        subject: str = "",
    ) -> T:
        """Run ``body`` in a unit of work and commit it; again on fresh state when refused.

        ``outcome(result)`` is the JSON kept with the step for retried requests
        (required with an ``idempotency_key``, as is ``replay``). ``subject``
        names what kept changing in the final error.
        """
        if idempotency_key is not None and (principal is None or replay is None):
            raise InvalidInput("an idempotent step needs its principal and a replay")
        for attempt in range(self.attempts):
            if idempotency_key is not None:
                assert principal is not None and replay is not None
                recorded = await self.store.recorded_step(principal, idempotency_key)
                if recorded is not None:
                    if recorded.request_hash != request_hash:
                        raise IdempotencyKeyReused(
                            "this Idempotency-Key was already used for a different request",
                            details={"step": recorded.name},
                        )
                    return await replay(recorded.outcome)
            async with self.begin(
                name,
                principal=principal,
                idempotency_key=idempotency_key,
                request_hash=request_hash,
                fresh=attempt > 0,
            ) as uow:
                try:
                    result = await body(uow)
                    await uow.commit(outcome(result) if outcome is not None else None)
                except StaleVersion:
                    continue
                return result
        what = subject or name
        raise ConcurrentModification(
            f"{what} kept changing; gave up after {self.attempts} attempts",
            details={"step": name, "attempts": self.attempts},
        )
