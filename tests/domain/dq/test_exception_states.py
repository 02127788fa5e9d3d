"""The DQ exception state machine: only the documented transitions exist."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from appkit_domain.dq import TRANSITIONS, DqStatus, Waiver, check_transition
from appkit_domain.errors import InvalidTransition
from appkit_testing.contracts.dq_store import sample_exception

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)

ALLOWED = {
    (DqStatus.OPEN, DqStatus.ACKNOWLEDGED),
    (DqStatus.ACKNOWLEDGED, DqStatus.RESOLVED),
    (DqStatus.ACKNOWLEDGED, DqStatus.WAIVED),
    (DqStatus.WAIVED, DqStatus.REOPENED),
    (DqStatus.RESOLVED, DqStatus.REOPENED),
    (DqStatus.REOPENED, DqStatus.ACKNOWLEDGED),
}


def test_only_documented_transitions_exist() -> None:
    table = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == ALLOWED


@pytest.mark.parametrize("current", list(DqStatus))
@pytest.mark.parametrize("target", list(DqStatus))
def test_any_other_transition_raises_invalid_transition(
    current: DqStatus, target: DqStatus
) -> None:
    if (current, target) in ALLOWED:
        check_transition(current, target)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(current, target)


def test_open_exception_cannot_be_resolved_without_acknowledgement() -> None:
    with pytest.raises(InvalidTransition):
        sample_exception(1).resolved("alice", T0, "fixed")


def test_open_exception_cannot_be_waived_without_acknowledgement() -> None:
    with pytest.raises(InvalidTransition):
        sample_exception(1).waived(Waiver("apr-1", "why", T0 + timedelta(days=1), T0))


def test_reopened_exception_behaves_like_open() -> None:
    acked = sample_exception(1).acknowledged("alice", T0)
    reopened = acked.resolved("alice", T0, "fixed").reopened(T0, "recurred", T0)
    assert reopened.status is DqStatus.REOPENED
    assert reopened.acknowledged("alice", T0).status is DqStatus.ACKNOWLEDGED
    with pytest.raises(InvalidTransition):
        reopened.resolved("alice", T0, "again")


def test_every_change_moves_the_version_by_one() -> None:
    item = sample_exception(1)
    acked = item.acknowledged("alice", T0)
    assert (item.version, acked.version) == (1, 2)
    assert acked.resolved("alice", T0, "fixed").version == 3
