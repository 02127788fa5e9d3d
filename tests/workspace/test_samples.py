"""The read-only ``samples`` catalog: nyctaxi.trips and TPC-H, the same in every emulator."""

from __future__ import annotations

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import PermissionDenied
from databricks.sdk.service.sql import StatementState

from appkit_testing.workspace import EmulatedWorkspace, start_in_thread


def _run(client: WorkspaceClient, warehouse: str, statement: str):  # type: ignore[no-untyped-def]
    return client.statement_execution.execute_statement(statement, warehouse, wait_timeout="30s")


def test_any_user_reads_nyctaxi_trips_and_tpch(emulator: EmulatedWorkspace) -> None:
    reader = emulator.client(emulator.add_principal("sample-reader@example.com")["token"])
    trips = _run(
        reader,
        emulator.warehouse_id,
        "SELECT count(*), min(pickup_zip) >= 10001, max(trip_distance) < 13"
        " FROM samples.nyctaxi.trips",
    )
    assert trips.status.state == StatementState.SUCCEEDED, trips.status.error
    assert trips.result.data_array == [["21932", "true", "true"]]
    columns = [c.name for c in reader.tables.get("samples.nyctaxi.trips").columns]
    assert columns == [
        "tpep_pickup_datetime",
        "tpep_dropoff_datetime",
        "trip_distance",
        "fare_amount",
        "pickup_zip",
        "dropoff_zip",
    ]
    tables = sorted(t.name for t in reader.tables.list("samples", "tpch"))
    assert tables == [
        "customer",
        "lineitem",
        "nation",
        "orders",
        "part",
        "partsupp",
        "region",
        "supplier",
    ]
    joined = _run(
        reader,
        emulator.warehouse_id,
        "SELECT r_name, count(*) FROM samples.tpch.nation JOIN samples.tpch.region"
        " ON n_regionkey = r_regionkey GROUP BY r_name ORDER BY r_name",
    )
    assert [row[1] for row in joined.result.data_array] == ["5", "5", "5", "5", "5"]


def test_samples_are_the_same_in_every_emulator(emulator: EmulatedWorkspace) -> None:
    query = "SELECT sum(l_extendedprice), count(*) FROM samples.tpch.lineitem"
    first = emulator.sql(query).rows
    with start_in_thread() as other:
        assert other.sql(query).rows == first


def test_samples_are_read_only_even_for_admins(emulator: EmulatedWorkspace) -> None:
    admin = emulator.client()
    answer = _run(admin, emulator.warehouse_id, "DELETE FROM samples.tpch.region")
    assert answer.status.state == StatementState.FAILED
    assert "INSUFFICIENT_PERMISSIONS" in answer.status.error.message
    with pytest.raises(PermissionDenied, match="read-only"):
        admin.schemas.create("mine", "samples")
    with pytest.raises(PermissionDenied, match="read-only"):
        admin.catalogs.delete("samples", force=True)
