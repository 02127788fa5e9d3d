"""Any sequence of DQ commands follows the documented life cycle (model-based property)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from appkit_domain.approvals import Actor
from appkit_domain.dq import DqStatus
from appkit_domain.errors import InvalidTransition
from tests.domain.dq.world import ALICE, BOB, INGESTER, make_world

Op = tuple[str, int]

OPS = st.lists(
    st.one_of(
        *[st.tuples(st.just("progress"), st.integers(min_value=0, max_value=3))] * 6,
        st.tuples(st.just("detect"), st.just(0)),
        st.tuples(st.just("ack"), st.just(0)),
        st.tuples(st.just("resolve"), st.just(0)),
        st.tuples(st.just("waive"), st.integers(min_value=1, max_value=4)),
        st.tuples(st.just("sweep"), st.just(0)),
        st.tuples(st.just("advance"), st.integers(min_value=1, max_value=60)),
    ),
    min_size=5,
    max_size=30,
)


def _progress(model: Model, arg: int) -> Op:
    """The command that moves the life cycle on from the model's state (arg picks among them)."""
    if model.status is DqStatus.WAIVED:
        return (("detect", 0), ("advance", 40), ("sweep", 0), ("advance", 40))[arg]
    if model.status in (None, DqStatus.RESOLVED):
        return ("advance", 40) if arg % 2 else ("detect", 0)
    if model.status in (DqStatus.OPEN, DqStatus.REOPENED):
        return ("ack", 0)
    return ("resolve", 0) if arg == 0 else ("waive", arg)


@dataclass
class Model:
    status: DqStatus | None = None
    resolved_at: datetime | None = None
    waiver_until: datetime | None = None


def _expect_detect(model: Model, now: datetime) -> None:
    recurs_after_resolution = (
        model.status is DqStatus.RESOLVED
        and model.resolved_at is not None
        and now > model.resolved_at
    )
    recurs_after_waiver = (
        model.status is DqStatus.WAIVED
        and model.waiver_until is not None
        and now >= model.waiver_until
    )
    if model.status is None:
        model.status = DqStatus.OPEN
    elif recurs_after_resolution or recurs_after_waiver:
        model.status = DqStatus.REOPENED


async def _run(ops: list[Op]) -> None:
    world = make_world()
    model = Model()
    item_id: str | None = None
    for step in ops:
        name, arg = _progress(model, step[1]) if step[0] == "progress" else step
        now = world.clock.now()
        if name == "advance":
            world.clock.advance(hours=arg)
        elif name == "detect":
            recorded = await world.service.raise_exception(world.failure(at=now), INGESTER)
            item_id = recorded.exception.id
            _expect_detect(model, now)
        elif name == "sweep":
            await world.service.reopen_expired_waivers(INGESTER)
            if model.status is DqStatus.WAIVED and model.waiver_until and model.waiver_until <= now:
                model.status = DqStatus.REOPENED
        elif item_id is None:
            continue
        elif name == "ack":
            if model.status in (DqStatus.OPEN, DqStatus.REOPENED):
                await world.service.acknowledge(item_id, ALICE)
                model.status = DqStatus.ACKNOWLEDGED
            else:
                try:
                    await world.service.acknowledge(item_id, ALICE)
                except InvalidTransition:
                    pass
                else:
                    raise AssertionError(f"acknowledged from {model.status}")
        elif name == "resolve":
            if model.status is DqStatus.ACKNOWLEDGED:
                await world.service.resolve(item_id, ALICE, "fixed")
                model.status, model.resolved_at = DqStatus.RESOLVED, now
            else:
                try:
                    await world.service.resolve(item_id, ALICE, "fixed")
                except InvalidTransition:
                    pass
                else:
                    raise AssertionError(f"resolved from {model.status}")
        elif name == "waive":
            until = now + timedelta(hours=12 * arg)
            if model.status is DqStatus.ACKNOWLEDGED:
                proposal = await world.waivers.request_waiver(item_id, ALICE, "accepted", until)
                await world.approvals.approve(proposal.approval_id, Actor.of(BOB))
                model.status, model.waiver_until = DqStatus.WAIVED, until
            else:
                try:
                    await world.waivers.request_waiver(item_id, ALICE, "accepted", until)
                except InvalidTransition:
                    pass
                else:
                    raise AssertionError(f"waiver requested from {model.status}")
        assert len(world.store.rows) == (0 if model.status is None else 1)
        if item_id is not None:
            assert world.store.rows[item_id].status is model.status, (name, arg)
    assert (await world.governance.audit.verify()).ok


@settings(max_examples=120, deadline=None)
@given(OPS)
def test_any_command_sequence_follows_the_documented_life_cycle(ops: list[Op]) -> None:
    asyncio.run(_run(ops))
