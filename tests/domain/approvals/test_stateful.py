"""Random principals and commands against the approval service; invariants after every step."""

from __future__ import annotations

import asyncio
from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule

from appkit_domain.approvals import TRANSITIONS, Actor, ApprovalStatus, Verdict
from appkit_domain.errors import AppkitError
from appkit_domain.principal import Principal
from tests.domain.approvals.world import ALICE, APP, BOB, CAROL, DAVE, ERIN, make_world

PEOPLE = [ALICE, BOB, CAROL, ERIN, DAVE, APP]
KINDS = ["change", "pair", "lenient", "manual"]


def _reachable(status: ApprovalStatus) -> set[ApprovalStatus]:
    seen = {status}
    frontier = [status]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


people = st.sampled_from(PEOPLE)
maybe_people = st.one_of(st.none(), st.none(), people)
makers = st.sampled_from([ALICE, BOB, APP, ALICE, BOB, DAVE])


class ApprovalMachine(RuleBasedStateMachine):
    requests = Bundle("requests")

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.world = make_world()
        # Makers who are also checkers, so rule 1 is what stops them.
        self.world.directory.set_groups(ALICE.id, {"data-stewards", "risk-approvers"})
        self.world.directory.set_groups(BOB.id, {"data-stewards", "risk-approvers"})
        self.world.directory.set_groups(APP.id, {"data-stewards", "risk-approvers"})
        self.last_status: dict[str, ApprovalStatus] = {}
        self.outcomes: Counter[str] = Counter()

    def run(self, coro: object) -> object:
        return self.loop.run_until_complete(coro)  # type: ignore[arg-type]

    def actor(self, who: Principal, for_whom: Principal | None) -> Actor:
        if for_whom is None or for_whom.id == who.id:
            return Actor(who)
        return Actor(who, on_behalf_of=for_whom)

    def attempt(self, name: str, coro: object) -> object:
        try:
            result = self.run(coro)
        except AppkitError as exc:
            self.outcomes[f"{name}:{exc.code}"] += 1
            return None
        self.outcomes[f"{name}:ok"] += 1
        return result

    def teardown(self) -> None:
        self.loop.close()

    @rule(target=requests, kind=st.sampled_from(KINDS), who=makers, for_whom=maybe_people)
    def submit(self, kind: str, who: Principal, for_whom: Principal | None) -> object:
        made = self.attempt(
            "submit",
            self.world.service.submit(
                self.actor(who, for_whom), kind, "t:1", {"change": {"n": len(self.last_status)}}
            ),
        )
        if made is None:
            return multiple()
        self.last_status[made.id] = made.status  # type: ignore[attr-defined]
        return made.id  # type: ignore[attr-defined]

    @rule(
        approval_id=requests,
        who=people,
        for_whom=maybe_people,
        verdict=st.sampled_from(list(Verdict)),
    )
    def decide(
        self, approval_id: str, who: Principal, for_whom: Principal | None, verdict: Verdict
    ) -> None:
        actor = self.actor(who, for_whom)
        groups_now = self.world.directory.principals[actor.party_id].groups
        result = self.attempt(
            "decide", self.world.service.decide(approval_id, actor, verdict, comment="c")
        )
        if result is not None:
            assert "risk-approvers" in groups_now, "an ineligible principal's decision counted"

    @rule(approval_id=requests, who=st.sampled_from([BOB, CAROL, ERIN, ALICE]))
    def approve_in_person(self, approval_id: str, who: Principal) -> None:
        self.decide(approval_id, who, None, Verdict.APPROVE)

    @rule(approval_id=requests, who=st.sampled_from([CAROL, ERIN, DAVE]))
    def approve_through_the_app(self, approval_id: str, who: Principal) -> None:
        self.decide(approval_id, APP, who, Verdict.APPROVE)

    @rule(approval_id=requests, who=people)
    def withdraw(self, approval_id: str, who: Principal) -> None:
        self.attempt("withdraw", self.world.service.withdraw(approval_id, Actor(who)))

    @rule(approval_id=requests, who=people)
    def apply(self, approval_id: str, who: Principal) -> None:
        self.attempt("apply", self.world.service.apply(approval_id, Actor(who)))

    @rule(hours=st.integers(min_value=1, max_value=12), sweep=st.booleans())
    def advance_clock(self, hours: int, sweep: bool) -> None:
        self.world.clock.advance(hours=hours)
        if sweep:
            self.attempt("expire", self.world.service.expire_due(Actor(APP)))

    @rule(joins=st.booleans())
    def dave_membership(self, joins: bool) -> None:
        self.world.directory.set_groups(DAVE.id, {"risk-approvers"} if joins else set())

    @invariant()
    def requests_obey_the_rules(self) -> None:
        calls = Counter(self.world.applier.calls)
        for request in self.world.store.requests.values():
            parties = [d.party for d in request.decisions]
            assert not set(parties) & request.maker_ids, "a maker's decision was recorded"
            assert len(parties) == len(set(parties)), "a principal decided twice"
            previous = self.last_status.get(request.id, request.status)
            assert request.status in _reachable(previous), (
                f"{request.id} went from {previous} to {request.status}"
            )
            self.last_status[request.id] = request.status
            assert calls[request.id] <= 1, "an action ran twice"
            if request.status is ApprovalStatus.APPLIED:
                assert calls[request.id] == 1
                approvers = {
                    d.party for d in request.approvals if d.payload_hash == request.payload_hash
                }
                assert len(approvers) >= request.required_approvals
            if request.status in (ApprovalStatus.PENDING, ApprovalStatus.REJECTED):
                assert calls[request.id] == 0

    @invariant()
    def audit_chain_verifies(self) -> None:
        report = self.run(self.world.audit.verify())
        assert report.ok, report.first_broken  # type: ignore[attr-defined]


ApprovalMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestApprovalMachine = ApprovalMachine.TestCase
