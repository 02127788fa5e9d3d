"""The contract every :class:`appkit_domain.ports.approval_store.ApprovalStore` honours.

Subclass :class:`ApprovalStoreContract` and provide a ``store`` fixture that
yields an empty store::

    class TestMyApprovalStore(ApprovalStoreContract):
        @pytest.fixture
        async def store(self):
            yield MyApprovalStore(...)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from appkit_domain.approvals import (
    ApplyClaim,
    ApprovalRequest,
    ApprovalStatus,
    Decision,
    Verdict,
    payload_hash,
)
from appkit_domain.errors import InvalidInput, NotFound
from appkit_domain.ports.approval_store import ApprovalStore
from appkit_testing.contracts.seeding import Writer

START = datetime(2026, 3, 2, 8, 30, 0, 123456, tzinfo=timezone.utc)


def make_request(
    n: int,
    *,
    kind: str = "change",
    status: ApprovalStatus = ApprovalStatus.PENDING,
    created: timedelta = timedelta(0),
    ttl: timedelta = timedelta(days=1),
) -> ApprovalRequest:
    """A request numbered ``n``, created ``created`` after the contract's start time."""
    payload = {"row": n, "set": {"tier": "gold", "limit": "12.50"}, "tags": ["a", "b"]}
    at = START + created
    return ApprovalRequest(
        id=f"apr-{n:04d}",
        kind=kind,
        target=f"demo.crm.customers:{n}",
        payload=payload,
        payload_hash=payload_hash(payload),
        requested_by="u-alice",
        on_behalf_of="u-carol" if n % 2 else None,
        status=status,
        required_approvals=2,
        deadline=at + ttl,
        created_at=at,
        updated_at=at,
    )


@pytest.mark.asyncio
class ApprovalStoreContract:
    """Behaviour shared by every approval store (the subclass provides ``store``)."""

    async def test_added_request_round_trips_exactly(
        self, store: ApprovalStore, writer: Writer
    ) -> None:
        request = make_request(1)
        await writer.add(request)
        assert await store.get(request.id) == request

    async def test_decisions_and_results_round_trip(
        self, store: ApprovalStore, writer: Writer
    ) -> None:
        request = make_request(2)
        await writer.add(request)
        decision = Decision(
            principal_id="sp-app",
            on_behalf_of="u-bob",
            verdict=Verdict.APPROVE,
            payload_hash=request.payload_hash,
            at=START + timedelta(minutes=5),
            comment="looks right",
        )
        decided = replace(
            request,
            decisions=(decision,),
            status=ApprovalStatus.APPROVED,
            version=2,
            updated_at=START + timedelta(minutes=5),
        )
        await writer.save(decided, expected_version=1)
        applied = replace(
            decided,
            status=ApprovalStatus.APPLIED,
            claim=ApplyClaim("act-1", START + timedelta(minutes=10)),
            result={"rows": 1, "at": "2026-03-02"},
            applied_by="u-bob",
            version=3,
        )
        await writer.save(applied, expected_version=2)
        assert await store.get(request.id) == applied

    async def test_unknown_id_is_not_found(self, store: ApprovalStore) -> None:
        with pytest.raises(NotFound):
            await store.get("apr-none")

    async def test_save_with_the_read_version_replaces(
        self, store: ApprovalStore, writer: Writer
    ) -> None:
        request = make_request(4)
        await writer.add(request)
        withdrawn = replace(request, status=ApprovalStatus.WITHDRAWN, reason="dup", version=2)
        await writer.save(withdrawn, expected_version=1)
        assert await store.get(request.id) == withdrawn

    async def test_list_filters_and_orders_by_creation(
        self, store: ApprovalStore, writer: Writer
    ) -> None:
        for n in range(6):
            status = ApprovalStatus.REJECTED if n == 2 else ApprovalStatus.PENDING
            kind = "override" if n % 3 == 0 else "change"
            await writer.add(
                make_request(n, kind=kind, status=status, created=timedelta(minutes=10 - n))
            )
        everything = await store.list(page_size=100)
        assert [r.id for r in everything.items] == [f"apr-{n:04d}" for n in (5, 4, 3, 2, 1, 0)]
        assert everything.next_page_token is None
        pending = await store.list(status=ApprovalStatus.PENDING, page_size=100)
        assert {r.id for r in pending.items} == {f"apr-{n:04d}" for n in (0, 1, 3, 4, 5)}
        overrides = await store.list(kind="override", page_size=100)
        assert [r.id for r in overrides.items] == ["apr-0003", "apr-0000"]
        both = await store.list(kind="change", status=ApprovalStatus.REJECTED, page_size=100)
        assert [r.id for r in both.items] == ["apr-0002"]

    async def test_list_pages_cover_every_request_once(
        self, store: ApprovalStore, writer: Writer
    ) -> None:
        for n in range(7):
            await writer.add(make_request(n, created=timedelta(seconds=n // 2)))
        seen: list[str] = []
        token = None
        pages = 0
        while True:
            page = await store.list(page_size=3, page_token=token)
            pages += 1
            seen.extend(r.id for r in page.items)
            token = page.next_page_token
            if token is None:
                break
        assert pages == 3
        assert seen == [f"apr-{n:04d}" for n in range(7)]

    async def test_malformed_page_token_is_invalid_input(self, store: ApprovalStore) -> None:
        with pytest.raises(InvalidInput):
            await store.list(page_token="not-a-token!")

    async def test_due_lists_pending_requests_past_their_deadline(
        self, store: ApprovalStore, writer: Writer
    ) -> None:
        await writer.add(make_request(1, ttl=timedelta(hours=1)))
        await writer.add(make_request(2, ttl=timedelta(hours=3)))
        await writer.add(make_request(3, ttl=timedelta(hours=2)))
        await writer.add(make_request(4, ttl=timedelta(hours=1), status=ApprovalStatus.REJECTED))
        now = START + timedelta(hours=2)
        assert [r.id for r in await store.due(now)] == ["apr-0001", "apr-0003"]
        assert [r.id for r in await store.due(now, limit=1)] == ["apr-0001"]
        assert await store.due(START) == []
