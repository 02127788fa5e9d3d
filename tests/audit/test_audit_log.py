"""The AuditLog service: durability before acknowledgement, group commit, redaction."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from decimal import Decimal

import pytest

from appkit_domain.audit import AuditEvent, AuditLog, AuditQuery, Redactor
from appkit_domain.audit.chain import genesis_hash
from appkit_domain.errors import InvalidInput, Unavailable
from appkit_testing.fakes import ControllableClock, InMemoryAuditStore, SequentialIds

PAT = "dapi0123456789abcdef0123456789abcdef"


class SlowStore(InMemoryAuditStore):
    """Yields inside append so concurrent callers pile up behind the writer."""

    async def append(self, events: Sequence[AuditEvent]) -> None:
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        await super().append(events)


class FailingStore(InMemoryAuditStore):
    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def append(self, events: Sequence[AuditEvent]) -> None:
        if self.failures:
            self.failures -= 1
            raise Unavailable("warehouse is down")
        await super().append(events)


def make_log(store: InMemoryAuditStore, stream: str = "app-1", **kw) -> AuditLog:  # type: ignore[no-untyped-def]
    return AuditLog(store, ControllableClock(), SequentialIds(), stream=stream, **kw)


async def test_first_event_links_to_the_stream_genesis() -> None:
    store = InMemoryAuditStore()
    event = await make_log(store).append(actor="alice", action="override.propose", target="ovr:1")
    assert event.seq == 1
    assert event.prev_hash == genesis_hash("app-1")
    assert store.rows == [event]


async def test_append_returns_only_after_the_event_is_stored() -> None:
    store = SlowStore()
    log = make_log(store)
    event = await log.append(actor="alice", action="a", target="t")
    assert event in store.rows


async def test_concurrent_appends_are_group_committed() -> None:
    store = SlowStore()
    log = make_log(store)
    events = await asyncio.gather(
        *(log.append(actor=f"u{i}", action="a", target=f"t{i}") for i in range(100))
    )
    assert [e.seq for e in sorted(events, key=lambda e: e.seq)] == list(range(1, 101))
    assert store.append_calls < 10, "concurrent callers should share store writes"
    assert (await log.verify()).ok


async def test_a_failed_write_fails_every_caller_of_its_batch_and_acknowledges_nothing() -> None:
    store = FailingStore(failures=1)
    log = make_log(store)
    results = await asyncio.gather(
        *(log.append(actor="u", action="a", target=f"t{i}") for i in range(5)),
        return_exceptions=True,
    )
    failed = [r for r in results if isinstance(r, Unavailable)]
    stored = [r for r in results if isinstance(r, AuditEvent)]
    assert failed, "the failed batch must surface its error"
    assert all(e in store.rows for e in stored)
    assert len(store.rows) == len(stored)
    # The chain continues correctly after the failure.
    await log.append(actor="u", action="a", target="after")
    assert (await log.verify()).ok


async def test_a_second_writer_on_the_same_stream_is_absorbed_by_reloading_the_head() -> None:
    store = InMemoryAuditStore()
    first, second = make_log(store), make_log(store)
    await first.append(actor="u", action="a", target="1")
    await second.append(actor="u", action="a", target="2")
    await first.append(actor="u", action="a", target="3")
    assert [e.seq for e in store.rows] == [1, 2, 3]
    assert (await first.verify()).ok


async def test_tokens_and_secret_values_are_redacted_before_hashing() -> None:
    store = InMemoryAuditStore()
    log = make_log(store, redactor=Redactor(["s3cr3t-value"]))
    event = await log.append(
        actor="alice",
        action="sql.query",
        target="sql",
        details={
            "token": "anything",
            "headers": {"Authorization": f"Bearer {PAT}", "X-Request-Id": "r1"},
            "note": f"used {PAT} and s3cr3t-value and eyJhbGciOi.eyJzdWIiOiJ4.sig",
            "client_secret": None,
        },
    )
    text = repr(store.rows)
    assert PAT not in text and "s3cr3t-value" not in text and "eyJhbGciOi" not in text
    assert event.details["token"] == "[REDACTED]"
    assert event.details["headers"]["Authorization"] == "[REDACTED]"
    assert event.details["headers"]["X-Request-Id"] == "r1"
    assert (await log.verify()).ok


async def test_details_are_normalized_to_json() -> None:
    event = await make_log(InMemoryAuditStore()).append(
        actor="a", action="b", target="c", details={"amount": Decimal("1.10"), "tags": ("x", "y")}
    )
    assert event.details == {"amount": "1.10", "tags": ["x", "y"]}


async def test_details_that_are_not_json_are_invalid_input() -> None:
    with pytest.raises(InvalidInput, match=r"details\.bad"):
        await make_log(InMemoryAuditStore()).append(
            actor="a", action="b", target="c", details={"bad": object()}
        )


async def test_empty_actor_action_or_target_is_refused() -> None:
    log = make_log(InMemoryAuditStore())
    with pytest.raises(InvalidInput, match="actor"):
        await log.append(actor="", action="b", target="c")


async def test_checkpoint_is_the_stream_head() -> None:
    store = InMemoryAuditStore()
    log = make_log(store)
    assert await log.checkpoint() is None
    last = None
    for i in range(3):
        last = await log.append(actor="u", action="a", target=str(i))
    cp = await log.checkpoint()
    assert cp is not None and last is not None
    assert (cp.stream, cp.seq, cp.hash) == ("app-1", 3, last.hash)
    await make_log(store, "app-2").append(actor="u", action="a", target="x")
    assert [c.stream for c in await log.checkpoints()] == ["app-1", "app-2"]


async def test_query_goes_through_the_store() -> None:
    store = InMemoryAuditStore()
    log = make_log(store)
    await log.append(actor="alice", action="a", target="t1")
    await log.append(actor="bob", action="a", target="t2")
    page = await log.query(AuditQuery(actor="bob"))
    assert [e.target for e in page.items] == ["t2"]
    assert page.next_page_token is None


async def test_a_cancelled_caller_not_yet_batched_leaves_nothing_behind() -> None:
    store = SlowStore()
    log = make_log(store)
    first = asyncio.ensure_future(log.append(actor="u", action="a", target="1"))
    await asyncio.sleep(0)  # the flusher now holds the first batch
    second = asyncio.ensure_future(log.append(actor="u", action="a", target="2"))
    await asyncio.sleep(0)
    second.cancel()
    await first
    with pytest.raises(asyncio.CancelledError):
        await second
    await asyncio.sleep(0)
    assert [e.target for e in store.rows] == ["1"]
    assert (await log.verify()).ok
