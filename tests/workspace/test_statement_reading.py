"""Reading results the way databricks-labs-lsql's StatementExecutionExt does, through the SDK.

Covers what lsql's own integration suite checks against a warehouse: large results read
chunk by chunk in every disposition, the samples catalog (its row count, zip codes, a
join over it), default catalog and schema per statement, and one-row fetches.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.service.sql import Disposition, Format, StatementResponse, StatementState

from appkit_testing.workspace import EmulatedWorkspace, start_in_thread

NYC_TAXI_TRIPS_LIMITED = """
WITH zipcodes AS (
  SELECT DISTINCT pickup_zip, dropoff_zip FROM samples.nyctaxi.trips
  WHERE pickup_zip = 10282 AND dropoff_zip <= 10005
)
SELECT trips.pickup_zip, trips.dropoff_zip, trips.tpep_pickup_datetime, trips.tpep_dropoff_datetime
FROM zipcodes JOIN samples.nyctaxi.trips AS trips
  ON zipcodes.pickup_zip = trips.pickup_zip AND zipcodes.dropoff_zip = trips.dropoff_zip
ORDER BY trips.dropoff_zip, trips.tpep_pickup_datetime, trips.tpep_dropoff_datetime
"""


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatedWorkspace]:
    server = start_in_thread(chunk_bytes=256 * 1024)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def w(emulator: EmulatedWorkspace) -> WorkspaceClient:
    return emulator.client()


def _rows(w: WorkspaceClient, answer: StatementResponse) -> Iterator[list[str | None]]:
    """Every row of a result, following chunk after chunk (inline or external links)."""
    assert answer.status.state == StatementState.SUCCEEDED, answer.status.error
    result = answer.result
    while result is not None:
        if result.external_links:
            for link in result.external_links:
                yield from json.loads(requests.get(link.external_link, timeout=10).content)
            following = result.external_links[-1].next_chunk_index
        else:
            yield from result.data_array or []
            following = result.next_chunk_index
        if following is None:
            return
        result = w.statement_execution.get_statement_result_chunk_n(answer.statement_id, following)


@pytest.mark.parametrize("disposition", [Disposition.INLINE, Disposition.EXTERNAL_LINKS])
def test_a_large_range_is_read_chunk_by_chunk(
    emulator: EmulatedWorkspace, w: WorkspaceClient, disposition: Disposition
) -> None:
    answer = w.statement_execution.execute_statement(
        "SELECT id FROM range(250000)",
        emulator.warehouse_id,
        disposition=disposition,
        format=Format.JSON_ARRAY,
        wait_timeout="30s",
    )
    assert answer.manifest.total_chunk_count > 1
    assert sum(int(row[0]) for row in _rows(w, answer)) == 249999 * 250000 // 2


def test_samples_trips_answer_like_the_databricks_dataset(
    emulator: EmulatedWorkspace, w: WorkspaceClient
) -> None:
    def run(statement: str, **options: str) -> list[list[str | None]]:
        answer = w.statement_execution.execute_statement(
            statement, emulator.warehouse_id, wait_timeout="30s", **options
        )
        return list(_rows(w, answer))

    assert run("SELECT COUNT(*) FROM samples.nyctaxi.trips") == [["21932"]]
    assert len(run(NYC_TAXI_TRIPS_LIMITED, catalog="samples")) > 1
    assert run(
        "SELECT pickup_zip FROM samples.nyctaxi.trips WHERE pickup_zip == 10282 LIMIT 1"
    ) == [["10282"]]
    assert len(run("SELECT * FROM trips LIMIT 10", catalog="samples", schema="nyctaxi")) == 10


def test_one_row_fetches_carry_the_column_names(
    emulator: EmulatedWorkspace, w: WorkspaceClient
) -> None:
    answer = w.statement_execution.execute_statement(
        "SELECT 1 AS id, current_database() AS db", emulator.warehouse_id
    )
    assert [c.name for c in answer.manifest.schema.columns] == ["id", "db"]
    assert answer.result.data_array == [["1", "default"]]
