from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from appkit_domain.audit import AuditEvent, AuditLog
from appkit_domain.dq import CheckFailure, Severity
from appkit_domain.dq.service import DqExceptionService
from appkit_domain.identifiers import TableName
from appkit_domain.principal import Principal, PrincipalKind
from appkit_testing.fakes import ControllableClock, InMemoryAuditStore, SequentialIds
from appkit_testing.fakes.dq_store import InMemoryDqStore

ALICE = Principal("u-alice", "alice@example.com", groups=frozenset({"data-stewards"}))
BOB = Principal("u-bob", "bob@example.com", groups=frozenset({"risk-approvers"}))
DAVE = Principal("u-dave", "dave@example.com")
INGESTER = Principal("sp-app", "app@example.com", kind=PrincipalKind.SERVICE_PRINCIPAL)
CUSTOMERS = TableName("demo", "crm", "customers")


@dataclass
class DqWorld:
    clock: ControllableClock
    store: InMemoryDqStore
    audit_store: InMemoryAuditStore
    service: DqExceptionService

    def failure(
        self,
        key: str = "customer_id=7",
        *,
        severity: Severity = Severity.HIGH,
        check: str = "tier_is_known",
        at: datetime | None = None,
        owner: str | None = ALICE.id,
    ) -> CheckFailure:
        return CheckFailure(
            check=check,
            table=CUSTOMERS,
            rule="tier IN ('bronze','silver','gold','platinum')",
            severity=severity,
            failing_key=key,
            detected_at=at or self.clock.now(),
            observed_value="diamond",
            failing_rows_ref="demo.dq.check_results/run-1",
            owner=owner,
        )

    def events(self, action: str | None = None) -> list[AuditEvent]:
        return [e for e in self.audit_store.rows if action is None or e.action == action]


@pytest.fixture
def world() -> DqWorld:
    clock = ControllableClock()
    ids = SequentialIds()
    audit_store = InMemoryAuditStore()
    store = InMemoryDqStore()
    audit = AuditLog(audit_store, clock, ids, stream="app-1")
    service = DqExceptionService(store, audit, clock, ids)
    return DqWorld(clock, store, audit_store, service)


HOUR = timedelta(hours=1)
