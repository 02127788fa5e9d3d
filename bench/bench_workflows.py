"""Governed workflow throughput on the in-memory fakes: override propose + approve + apply.

Run: .venv/bin/python bench/bench_workflows.py [--workflows N] [--concurrency C]
Each workflow proposes a metric override (approval request submitted, payload
hashed, audited), has it approved by a checker (eligibility resolved through
the directory, version-checked save, audited) and applied automatically (claim,
payload hash re-check, override activated, older one superseded, audited).
Figures: workflows/s and steps/s (3 steps per immaterial workflow, 4 per
material one needing two approvals), sequential latency percentiles, and the
audit chain verified at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from decimal import Decimal

from appkit_domain.approvals import (
    Actor,
    ApprovalService,
    ApprovalStatus,
    Eligibility,
    PolicyRegistry,
)
from appkit_domain.audit import AuditLog
from appkit_domain.overrides import OverrideService, metric_override_policy
from appkit_domain.principal import Principal
from appkit_domain.roles import RoleMap
from appkit_testing.fakes import (
    ControllableClock,
    InMemoryApprovalStore,
    InMemoryAuditStore,
    InMemoryDirectory,
    InMemoryMetricSource,
    InMemoryOverrideStore,
    RecordingNotifier,
    SequentialIds,
)

MAKER = Principal("u-alice", "alice@example.com", groups=frozenset({"data-stewards"}))
CHECKERS = [
    Principal(f"u-checker-{i}", f"c{i}@example.com", groups=frozenset({"risk-approvers"}))
    for i in range(4)
]


class Rig:
    def __init__(self) -> None:
        self.clock = ControllableClock()
        ids = SequentialIds()
        self.audit_store = InMemoryAuditStore()
        self.audit = AuditLog(self.audit_store, self.clock, ids, stream="bench-1")
        self.approvals = ApprovalService(
            InMemoryApprovalStore(),
            self.audit,
            self.clock,
            ids,
            policies=PolicyRegistry(
                [
                    metric_override_policy(
                        Eligibility.of(roles={"maker"}), Eligibility.of(roles={"approver"})
                    )
                ]
            ),
            roles=RoleMap({"data-stewards": {"maker"}, "risk-approvers": {"approver"}}),
            directory=InMemoryDirectory([MAKER, *CHECKERS]),
            notifier=RecordingNotifier(),
        )
        self.metrics = InMemoryMetricSource()
        self.overrides = OverrideService(
            InMemoryOverrideStore(), self.approvals, self.metrics, self.clock, ids
        )

    async def workflow(self, n: int, *, material: bool) -> int:
        """One propose -> approve(s) -> apply; returns the number of steps it took."""
        entity = f"cpty-{n % 500}"
        if n < 500:
            self.metrics.set(entity, "pd", "2026-Q1", "100")
        value = Decimal("150") if material else Decimal("104")
        proposal = await self.overrides.propose(
            Actor(MAKER),
            entity=entity,
            metric="pd",
            period="2026-Q1",
            value=value,
            justification="bench",
        )
        steps = 1
        result = proposal.approval
        for checker in CHECKERS[: proposal.required_approvals]:
            result = await self.approvals.approve(proposal.approval.id, Actor(checker))
            steps += 1
        assert result.status is ApprovalStatus.APPLIED, result.failure
        return steps + 1  # the apply


async def sequential(workflows: int, material: bool) -> None:
    rig = Rig()
    latencies = []
    steps = 0
    started = time.perf_counter()
    for n in range(workflows):
        t0 = time.perf_counter()
        steps += await rig.workflow(n, material=material)
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    report = await rig.audit.verify()
    quantiles = statistics.quantiles(latencies, n=100)
    label = "material (2 approvals)" if material else "immaterial (1 approval)"
    print(f"sequential, {label}:")
    print(f"  workflows:       {workflows:,} in {elapsed:.2f} s  {workflows / elapsed:,.0f} /s")
    print(f"  steps:           {steps:,}  {steps / elapsed:,.0f} steps/s")
    print(
        f"  latency:         p50 {quantiles[49] * 1e6:,.0f} us  "
        f"p99 {quantiles[98] * 1e6:,.0f} us per workflow"
    )
    print(f"  audit events:    {len(rig.audit_store.rows):,}  verify ok: {report.ok}")


async def concurrent(workflows: int, concurrency: int) -> None:
    rig = Rig()
    steps = 0
    started = time.perf_counter()
    done = 0
    while done < workflows:
        wave = min(concurrency, workflows - done)
        results = await asyncio.gather(
            *(rig.workflow(done + i, material=(done + i) % 4 == 0) for i in range(wave))
        )
        steps += sum(results)
        done += wave
    elapsed = time.perf_counter() - started
    report = await rig.audit.verify()
    print(f"concurrent waves of {concurrency}, 1 in 4 material:")
    print(f"  workflows:       {workflows:,} in {elapsed:.2f} s  {workflows / elapsed:,.0f} /s")
    print(f"  steps:           {steps:,}  {steps / elapsed:,.0f} steps/s")
    print(
        f"  audit events:    {len(rig.audit_store.rows):,} in "
        f"{rig.audit_store.append_calls:,} store writes (group commit)  verify ok: {report.ok}"
    )


async def run(workflows: int, concurrency: int) -> None:
    await sequential(workflows, material=False)
    await sequential(workflows // 2, material=True)
    await concurrent(workflows, concurrency)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workflows", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(run(args.workflows, args.concurrency))


if __name__ == "__main__":
    main()
