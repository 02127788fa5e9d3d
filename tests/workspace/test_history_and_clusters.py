"""Query history from the statements run, and the clusters catalogue setup code reads."""

from __future__ import annotations

import time

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import BadRequest
from databricks.sdk.service import compute, jobs
from databricks.sdk.service.sql import QueryFilter, QueryStatus, TimeRange

from appkit_testing.workspace import EmulatedWorkspace


def test_query_history_lists_statements_in_a_time_range(emulator: EmulatedWorkspace) -> None:
    admin = emulator.client()
    before = int(time.time() * 1000) - 1
    admin.statement_execution.execute_statement("SELECT 42", emulator.warehouse_id)
    bob = emulator.client(emulator.add_principal("history-bob@example.com")["token"])
    bob.statement_execution.execute_statement("SELECT 7", emulator.warehouse_id)
    window = QueryFilter(query_start_time_range=TimeRange(start_time_ms=before))
    seen = admin.query_history.list(filter_by=window).res
    assert [q.query_text for q in seen] == ["SELECT 7", "SELECT 42"]
    assert seen[1].status == QueryStatus.FINISHED
    assert [q.query_text for q in bob.query_history.list(filter_by=window).res] == ["SELECT 7"]
    empty = QueryFilter(query_start_time_range=TimeRange(start_time_ms=1, end_time_ms=2))
    assert admin.query_history.list(filter_by=empty).res in (None, [])


def test_setup_code_picks_a_runtime_and_node_type_and_creates_a_job(
    emulator: EmulatedWorkspace,
) -> None:
    w: WorkspaceClient = emulator.client()
    version = w.clusters.select_spark_version(long_term_support=True)
    assert version == "16.4.x-scala2.12"
    node = w.clusters.select_node_type(local_disk=True)
    cluster = jobs.JobCluster(
        job_cluster_key="main",
        new_cluster=compute.ClusterSpec(spark_version=version, node_type_id=node, num_workers=1),
    )
    created = w.jobs.create(name="nightly", job_clusters=[cluster])
    assert w.jobs.get(created.job_id).settings.name == "nightly"
    assert list(w.clusters.list()) == []
    with pytest.raises(BadRequest, match="no clusters"):
        w.clusters.create(spark_version=version, node_type_id=node, num_workers=1).result()
