"""databricks-sql-connector (``use_sea=True``) and Arrow results against the emulator.

The connector opens a Statement Execution session, runs statements with named
parameters and fetches results as Arrow IPC chunks over EXTERNAL_LINKS (LZ4-compressed),
exactly as it does against a SQL warehouse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
import requests
from databricks import sql
from databricks.sdk import WorkspaceClient
from databricks.sdk.service.sql import Disposition, Format, StatementState

from appkit_testing.workspace import EmulatedWorkspace, start_in_thread


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatedWorkspace]:
    server = start_in_thread()
    server.sql("CREATE SCHEMA main.shop")
    server.sql(
        "CREATE TABLE main.shop.items (id BIGINT, name STRING, price DECIMAL(10,2),"
        " sold DATE, at TIMESTAMP, ok BOOLEAN)"
    )
    server.sql(
        "INSERT INTO main.shop.items VALUES"
        " (1, 'pen', 1.50, DATE'2024-01-02', TIMESTAMP'2024-01-02 10:00:00', true),"
        " (2, 'ink', NULL, NULL, NULL, false)"
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cursor(emulator: EmulatedWorkspace) -> Iterator[Any]:
    with (
        sql.connect(
            server_hostname="http://127.0.0.1",
            port=emulator.port,
            http_path=f"/sql/1.0/warehouses/{emulator.warehouse_id}",
            access_token=emulator.admin_token,
            use_sea=True,
            enable_telemetry=False,
            catalog="main",
            schema="shop",
        ) as connection,
        connection.cursor() as opened,
    ):
        yield opened


def test_execute_with_parameters_returns_typed_rows(cursor: Any) -> None:
    cursor.execute("SELECT * FROM items WHERE id >= :low ORDER BY id", {"low": 1})
    assert [d[:2] for d in cursor.description] == [
        ("id", "bigint"),
        ("name", "string"),
        ("price", "decimal"),
        ("sold", "date"),
        ("at", "timestamp"),
        ("ok", "boolean"),
    ]
    first, second = cursor.fetchall()
    assert (first.id, first.name, first.price, first.sold, first.ok) == (
        1,
        "pen",
        Decimal("1.50"),
        dt.date(2024, 1, 2),
        True,
    )
    assert first.at == dt.datetime(2024, 1, 2, 10, tzinfo=dt.timezone.utc)
    assert (second.price, second.sold, second.at) == (None, None, None)


def test_fetchmany_then_fetchall_reads_every_chunk(cursor: Any) -> None:
    cursor.execute("SELECT id FROM range(250000)")
    head = cursor.fetchmany(10)
    rest = cursor.fetchall()
    assert [row.id for row in head] == list(range(10))
    assert len(rest) == 249990 and rest[-1].id == 249999


def test_arrow_fetch_keeps_databricks_types(cursor: Any) -> None:
    cursor.execute("SELECT * FROM items ORDER BY id")
    table = cursor.fetchall_arrow()
    assert table.schema.types == [
        pa.int64(),
        pa.string(),
        pa.decimal128(10, 2),
        pa.date32(),
        pa.timestamp("us", tz="UTC"),
        pa.bool_(),
    ]
    assert table.column("name").to_pylist() == ["pen", "ink"]


def test_the_session_sets_the_default_schema(cursor: Any) -> None:
    cursor.execute("SELECT current_catalog(), current_schema()")
    assert tuple(cursor.fetchone()) == ("main", "shop")


def test_sdk_reads_arrow_stream_external_links(emulator: EmulatedWorkspace) -> None:
    client: WorkspaceClient = emulator.client()
    answer = client.statement_execution.execute_statement(
        "SELECT id, name FROM main.shop.items ORDER BY id",
        emulator.warehouse_id,
        disposition=Disposition.EXTERNAL_LINKS,
        format=Format.ARROW_STREAM,
        wait_timeout="10s",
    )
    assert answer.status.state == StatementState.SUCCEEDED
    link = answer.result.external_links[0]
    body = requests.get(link.external_link, timeout=5)
    assert body.headers["Content-Type"] == "application/vnd.apache.arrow.stream"
    table = pa.ipc.open_stream(body.content).read_all()
    assert table.to_pylist() == [{"id": 1, "name": "pen"}, {"id": 2, "name": "ink"}]


def test_a_session_belongs_to_its_opener(emulator: EmulatedWorkspace) -> None:
    opened = requests.post(
        f"{emulator.host}/api/2.0/sql/sessions",
        json={"warehouse_id": emulator.warehouse_id, "schema": "shop"},
        headers={"Authorization": f"Bearer {emulator.admin_token}"},
        timeout=5,
    ).json()
    other = emulator.add_principal("session-thief@example.com")
    answer = requests.post(
        f"{emulator.host}/api/2.0/sql/statements",
        json={
            "warehouse_id": emulator.warehouse_id,
            "session_id": opened["session_id"],
            "statement": "SELECT 1",
        },
        headers={"Authorization": f"Bearer {other['token']}"},
        timeout=5,
    )
    assert answer.status_code == 404
