"""The platform gate: policy first, a bucket per user and area, no fallback to the app, audit."""

from __future__ import annotations

from typing import Any

import pytest

from appkit_adapters.platform.calls import ExecutesAs, input_hash
from appkit_adapters.resilience.timing import VirtualTime
from appkit_domain.audit import AuditLog
from appkit_domain.errors import NotFound, PermissionDenied, RateLimited, Unavailable
from appkit_domain.principal import Principal
from appkit_testing.fakes import ControllableClock, InMemoryAuditStore, SequentialIds
from appkit_web.platform.gate import PlatformCall, PlatformGate
from appkit_web.platform.policy import ANY_SIGNED_IN, PlatformPolicy
from appkit_web.request_context import RequestContext


class Clients:
    def __init__(self, who: str) -> None:
        self.who = who
        self.jobs = self
        self.secrets = self


class Services:
    def as_service(self) -> Clients:
        return Clients("app")

    def as_user(self, token: str) -> Clients:
        return Clients(f"user:{token}")


POLICY = PlatformPolicy({"model.predict": ANY_SIGNED_IN, "jobs.run": frozenset({"maker"})})


def gate(store: InMemoryAuditStore, timer: VirtualTime, services: Any = None) -> PlatformGate:
    audit = AuditLog(store, ControllableClock(), SequentialIds(), stream="test")
    return PlatformGate(
        services if services is not None else Services(), POLICY, audit, timer,
        rate=1.0, burst=2, backend="databricks",
    )  # fmt: skip


def context(name: str, *roles: str, token: str | None = "tok-1") -> RequestContext:
    return RequestContext(
        request_id="req-1",
        principal=Principal(id=name, email=f"{name}@example.com"),
        identity_mode="databricks-apps",
        user_token=token,
        roles=frozenset(roles),
    )


PREDICT = PlatformCall("model.predict", "serving-endpoint:echo", ExecutesAs.USER, {"x": [1, 2]})
RUN = PlatformCall("jobs.run", "job:7", ExecutesAs.SERVICE_PRINCIPAL, {"job_id": 7})


async def who(clients: Any) -> str:
    return str(clients.who)


async def test_user_calls_run_with_the_users_token_and_service_calls_as_the_app():
    g = gate(InMemoryAuditStore(), VirtualTime())
    assert await g.call(context("ann", token="t-ann"), PREDICT, who) == "user:t-ann"
    assert await g.call(context("ann", "maker"), RUN, who) == "app"


async def test_a_user_call_without_a_forwarded_token_is_refused_not_run_as_the_app():
    store = InMemoryAuditStore()
    with pytest.raises(PermissionDenied, match="X-Forwarded-Access-Token"):
        await gate(store, VirtualTime()).call(context("ann", token=None), PREDICT, who)
    assert store.rows == []


async def test_the_policy_refuses_before_anything_runs_or_is_counted():
    store, timer = InMemoryAuditStore(), VirtualTime()
    g = gate(store, timer)
    for _ in range(5):
        with pytest.raises(PermissionDenied, match="maker"):
            await g.call(context("bob", "approver"), RUN, who)
    assert store.rows == []
    assert await g.call(context("bob", "approver"), PREDICT, who)  # bucket untouched


async def test_each_user_has_a_bucket_per_area_and_refills_with_time():
    timer = VirtualTime()
    g = gate(InMemoryAuditStore(), timer)
    ann, ben = context("ann", "maker"), context("ben", "maker")
    await g.call(ann, PREDICT, who)
    await g.call(ann, PREDICT, who)
    with pytest.raises(RateLimited) as limited:
        await g.call(ann, PREDICT, who)
    assert limited.value.retry_after == pytest.approx(1.0)
    assert await g.call(ben, PREDICT, who)  # another user
    assert await g.call(ann, RUN, who)  # another area
    timer.advance(1.0)
    assert await g.call(ann, PREDICT, who)


async def test_every_call_is_audited_with_the_input_hash_and_outcome_never_the_input():
    store = InMemoryAuditStore()
    g = gate(store, VirtualTime())

    async def missing(clients: Any) -> None:
        raise NotFound("no such endpoint")

    await g.call(context("ann"), PREDICT, who, describe=lambda r: {"answered_by": r})
    with pytest.raises(NotFound):
        await g.call(context("ann"), PREDICT, missing)
    ok, failed = store.rows
    assert (ok.actor, ok.action, ok.target) == ("ann", "model.predict", "serving-endpoint:echo")
    assert ok.details["input_sha256"] == input_hash({"x": [1, 2]})
    assert ok.details["executes_as"] == "user" and ok.details["executed_by"] == "ann"
    assert ok.details["outcome"] == "ok" and ok.details["answered_by"] == "user:tok-1"
    assert failed.details["outcome"] == "not_found"
    assert "[1, 2]" not in str(ok.details) and "x" not in ok.details


async def test_a_backend_without_a_workspace_answers_unavailable_after_the_policy():
    g = PlatformGate(
        None, POLICY, AuditLog(InMemoryAuditStore(), ControllableClock(), SequentialIds(),
                               stream="s"),
        VirtualTime(), rate=1.0, burst=2, backend="memory",
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        await g.call(context("bob"), RUN, who)
    with pytest.raises(Unavailable, match="memory backend"):
        await g.call(context("ann", "maker"), RUN, who)
