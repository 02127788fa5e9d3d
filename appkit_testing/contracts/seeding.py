"""Putting items into a governance store for a contract suite, one committed step each.

The read-side stores (approvals, changes, exceptions, overrides) hold what a
:class:`~appkit_domain.ports.governance_store.GovernanceStore` committed; a
suite seeds them through it with :class:`Writer`, as an app's steps would.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timezone
from typing import Any

from appkit_domain.approvals.model import APPROVAL_REQUESTS
from appkit_domain.dq.exception import DQ_EXCEPTIONS
from appkit_domain.errors import InvalidInput
from appkit_domain.overrides.model import METRIC_OVERRIDES
from appkit_domain.ports.governance_store import GovernanceStore
from appkit_domain.unit_of_work import (
    AggregateType,
    AggregateWrite,
    CommitBatch,
    StepCommit,
    StepRecord,
    StepsRejected,
)
from appkit_domain.writeback.change import CHANGE_REQUESTS

BUILT_IN: tuple[AggregateType[Any], ...] = (
    APPROVAL_REQUESTS,
    CHANGE_REQUESTS,
    DQ_EXCEPTIONS,
    METRIC_OVERRIDES,
)
SEEDED_AT = datetime(2026, 1, 1, tzinfo=timezone.utc)
_counter = itertools.count(1)


def type_of(item: object, types: tuple[AggregateType[Any], ...] = BUILT_IN) -> AggregateType[Any]:
    for candidate in types:
        if isinstance(item, candidate.cls):
            return candidate
    raise InvalidInput(f"no aggregate type holds {type(item).__name__}")


class Writer:
    """Commits aggregates through ``store`` (inserts, and saves at an expected version).

    A refused step raises the error the store gave for it (``StaleVersion``
    for a moved version or a taken key).
    """

    def __init__(self, store: GovernanceStore, types: tuple[AggregateType[Any], ...] = BUILT_IN):
        self.store = store
        self.types = types

    async def _commit(self, write: AggregateWrite) -> None:
        n = next(_counter)
        step = StepCommit(StepRecord(f"stp-seed-{n:06d}", "contract.seed", SEEDED_AT), (write,))
        try:
            await self.store.write(CommitBatch(f"cmt-seed-{n:06d}", (step,), ()))
        except StepsRejected as refused:
            raise refused.rejected[0] from None

    async def add(self, *items: Any) -> None:
        """Insert each item in its own step."""
        for item in items:
            await self._commit(AggregateWrite(type_of(item, self.types), item, None))

    async def save(self, item: Any, *, expected_version: int) -> None:
        """Replace the stored item read at ``expected_version`` with ``item``."""
        type = type_of(item, self.types)
        previous = await self.store.load(type, type.key(item), fresh=True)
        await self._commit(AggregateWrite(type, item, expected_version, previous))
