"""The override test world: an approval service, metric source and override service on fakes."""

from __future__ import annotations

from dataclasses import dataclass

from appkit_domain.overrides import OverrideService, metric_override_policy
from appkit_testing.fakes import InMemoryMetricSource, InMemoryOverrideStore, RecordingNotifier
from tests.domain.approvals.world import CHECKERS, MAKERS, ApprovalWorld, make_world


@dataclass
class OverrideWorld:
    approvals: ApprovalWorld
    metrics: InMemoryMetricSource
    store: InMemoryOverrideStore
    service: OverrideService


def make_override_world(*, notifier: RecordingNotifier | None = None) -> OverrideWorld:
    approvals = make_world(notifier=notifier)
    approvals.service.policies.register(metric_override_policy(MAKERS, CHECKERS))
    metrics = InMemoryMetricSource()
    metrics.set("acme", "pd", "2026-Q1", "100")
    store = approvals.governance.overrides
    service = OverrideService(approvals.governance.units, store, approvals.service, metrics)
    return OverrideWorld(approvals, metrics, store, service)
