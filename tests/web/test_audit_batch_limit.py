"""A batch of steps is one statement on SQL backends: its parameters stay under the limit."""

from __future__ import annotations

from appkit_adapters.sql.governance.store import SqlGovernanceStore
from appkit_adapters.sql.stores.audit import MAX_EVENTS_PER_STATEMENT
from appkit_adapters.sql.stores.values import MAX_PARAMETERS
from appkit_testing.memory_app import memory_container
from appkit_web.settings import load_settings


def test_sql_batches_fit_one_statement_and_one_audit_insert() -> None:
    assert SqlGovernanceStore.max_batch_cost < MAX_PARAMETERS
    assert SqlGovernanceStore.max_batch_cost <= MAX_EVENTS_PER_STATEMENT + 50


def test_the_app_audit_log_and_its_steps_share_one_commit_pipeline() -> None:
    container = memory_container(load_settings({"APPKIT_BACKEND": "memory"}))
    assert container.audit_log().commits is container.commits()
    assert container.units().commits is container.commits()
