"""The audit log never hands its store a batch larger than the store writes atomically."""

from __future__ import annotations

from appkit_adapters.sql.stores.audit import MAX_EVENTS_PER_STATEMENT
from appkit_testing.memory_app import memory_container
from appkit_web.databricks_backend import DatabricksBackend
from appkit_web.local_backend import LocalBackend
from appkit_web.settings import load_settings


def test_sql_backends_cap_audit_batches_at_one_statement() -> None:
    assert LocalBackend.audit_batch_limit() == MAX_EVENTS_PER_STATEMENT
    assert DatabricksBackend.audit_batch_limit() == MAX_EVENTS_PER_STATEMENT


def test_the_app_audit_log_uses_the_backend_limit() -> None:
    container = memory_container(load_settings({"APPKIT_BACKEND": "memory"}))
    assert container.audit_log().max_batch == container.backend.audit_batch_limit()
