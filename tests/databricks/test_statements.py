"""Statement Execution client: typed parameters, polling, chunks, links, cancel, decoding, errors."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest
from aiohttp import web

from appkit_adapters.databricks.http import DatabricksHttp
from appkit_adapters.databricks.statements import StatementExecutionWarehouse
from appkit_adapters.resilience import DeadlineExceeded, VirtualTime
from appkit_adapters.sql.warehouse import SqlParameter
from appkit_domain.errors import InvalidInput, NotFound, PermissionDenied, Unavailable

from .conftest import FakeServer
from .statement_server import BASE, StatementScript, column


def warehouse(http: DatabricksHttp, **kwargs) -> StatementExecutionWarehouse:
    return StatementExecutionWarehouse(http, "wh-1", **kwargs)


async def test_rows_are_decoded_by_type_name(server: FakeServer, http: DatabricksHttp) -> None:
    columns = [
        column("id", "LONG", "BIGINT", 0),
        column("amount", "DECIMAL", "DECIMAL(10,2)", 1),
        column("at", "TIMESTAMP", "TIMESTAMP", 2),
        column("day", "DATE", "DATE", 3),
        column("ok", "BOOLEAN", "BOOLEAN", 4),
        column("blob", "BINARY", "BINARY", 5),
        column("tags", "ARRAY", "ARRAY<STRING>", 6),
        column("attrs", "MAP", "MAP<STRING,INT>", 7),
        column("pair", "STRUCT", "STRUCT<a: INT, b: STRING>", 8),
        column("name", "STRING", "STRING", 9),
        column("ratio", "DOUBLE", "DOUBLE", 10),
    ]
    row = [
        "7", "12.50", "2026-01-05T09:00:00.000Z", "2026-01-05", "true", "aGk=",
        '["a","b"]', '{"k":1}', '{"a":1,"b":"x"}', "Zoë", "0.25",
    ]  # fmt: skip
    StatementScript(server, columns, chunks=[[row, [None] * 11]]).install()
    result = await warehouse(http).execute("SELECT * FROM t")
    assert result.rows[0] == (
        7,
        Decimal("12.50"),
        dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc),
        dt.date(2026, 1, 5),
        True,
        b"hi",
        ["a", "b"],
        {"k": 1},
        {"a": 1, "b": "x"},
        "Zoë",
        0.25,
    )
    assert result.rows[1] == (None,) * 11
    assert [c.name for c in result.columns][:2] == ["id", "amount"]
    assert result.statement_id == "01ee-test-0001"


async def test_parameters_travel_named_and_typed_as_strings(
    server: FakeServer, http: DatabricksHttp
) -> None:
    script = StatementScript(server, [column("x", "INT")], chunks=[[["1"]]]).install()
    await warehouse(http, catalog="main", schema="gov").execute(
        "SELECT :n, :amount, :day, :flag, :nothing, :label",
        [
            SqlParameter("n", 5),
            SqlParameter("amount", Decimal("1.50"), "DECIMAL(10,2)"),
            SqlParameter("day", dt.date(2026, 1, 5)),
            SqlParameter("flag", False),
            SqlParameter("nothing", None),
            SqlParameter("label", "it's"),
        ],
    )
    body = script.submitted[0]
    assert body["parameters"] == [
        {"name": "n", "value": "5", "type": "BIGINT"},
        {"name": "amount", "value": "1.50", "type": "DECIMAL(10,2)"},
        {"name": "day", "value": "2026-01-05", "type": "DATE"},
        {"name": "flag", "value": "false", "type": "BOOLEAN"},
        {"name": "nothing"},
        {"name": "label", "value": "it's", "type": "STRING"},
    ]
    assert body["statement"] == "SELECT :n, :amount, :day, :flag, :nothing, :label"
    assert (body["warehouse_id"], body["catalog"], body["schema"]) == ("wh-1", "main", "gov")
    assert (body["disposition"], body["format"], body["wait_timeout"]) == (
        "INLINE",
        "JSON_ARRAY",
        "10s",
    )


async def test_a_bad_parameter_name_is_refused_before_any_call(
    server: FakeServer, http: DatabricksHttp
) -> None:
    with pytest.raises(InvalidInput):
        await warehouse(http).execute("SELECT :x", {"x y": 1})
    assert server.seen == []


async def test_a_pending_statement_is_polled_until_it_succeeds(
    server: FakeServer, http: DatabricksHttp, virtual_time: VirtualTime
) -> None:
    script = StatementScript(
        server,
        [column("x", "INT")],
        chunks=[[["1"]]],
        submit_state="PENDING",
        poll_states=["RUNNING", "RUNNING"],
    ).install()
    result = await warehouse(http, poll_initial=0.1, poll_max=0.3).execute("SELECT 1")
    assert result.rows == [(1,)]
    assert virtual_time.sleeps == pytest.approx([0.1, 0.2, 0.3])
    assert server.paths("GET") == [f"{BASE}/{script.statement_id}"] * 3


async def test_inline_chunks_are_walked_in_order_with_bounded_concurrency(
    server: FakeServer, http: DatabricksHttp
) -> None:
    chunks = [[[str(i * 10 + j)] for j in range(3)] for i in range(7)]
    script = StatementScript(server, [column("n", "LONG")], chunks=chunks).install()
    result = await warehouse(http, fetch_concurrency=3).execute("SELECT n FROM big")
    assert [r[0] for r in result.rows] == [i * 10 + j for i in range(7) for j in range(3)]
    assert sorted(script.chunk_gets) == list(range(1, 7))
    assert script.max_in_flight <= 3


async def test_chunks_arriving_out_of_order_are_still_yielded_in_order(
    server: FakeServer, http: DatabricksHttp
) -> None:
    chunks = [[["0"]], [["1"]], [["2"]], [["3"]]]
    script = StatementScript(server, [column("n", "INT")], chunks=chunks).install()
    release = asyncio.Event()
    script.hold_chunk[1] = release
    script.release_on_fetch[3] = release  # chunk 1 answers only once chunk 3 was asked for
    result = await warehouse(http, fetch_concurrency=4).execute("SELECT n")
    assert [r[0] for r in result.rows] == [0, 1, 2, 3]
    assert script.max_in_flight >= 2


async def test_without_a_chunk_count_next_chunk_index_is_followed(
    server: FakeServer, http: DatabricksHttp
) -> None:
    chunks = [[["a"]], [["b"]], [["c"]]]
    script = StatementScript(
        server, [column("s", "STRING")], chunks=chunks, announce_total=False
    ).install()
    result = await warehouse(http).execute("SELECT s")
    assert [r[0] for r in result.rows] == ["a", "b", "c"]
    assert script.chunk_gets == [1, 2]


async def test_external_links_are_downloaded_without_the_authorization_header(
    server: FakeServer, http: DatabricksHttp
) -> None:
    chunks = [[["1", "x"]], [["2", None]], [["3", "z"]]]
    StatementScript(
        server, [column("n", "INT", position=0), column("s", "STRING", position=1)],
        chunks=chunks, external=True,
    ).install()  # fmt: skip
    result = await warehouse(http, disposition="EXTERNAL_LINKS").execute("SELECT n, s")
    assert result.rows == [(1, "x"), (2, None), (3, "z")]
    downloads = [r for r in server.seen if r.path.startswith("/storage/")]
    assert len(downloads) == 3
    for request in downloads:
        assert "Authorization" not in request.headers
        assert request.headers["x-ms-blob-type"] == "BlockBlob"
    api_calls = [r for r in server.seen if r.path.startswith("/api/")]
    assert all(r.headers["Authorization"].startswith("Bearer ") for r in api_calls)


async def test_iterate_streams_rows_and_stops_fetching_when_closed(
    server: FakeServer, http: DatabricksHttp
) -> None:
    chunks = [[[str(i)]] for i in range(50)]
    script = StatementScript(server, [column("n", "INT")], chunks=chunks).install()
    rows = warehouse(http, fetch_concurrency=2).iterate("SELECT n FROM big")
    seen = []
    async for row in rows:
        seen.append(row[0])
        if len(seen) == 3:
            break
    await rows.aclose()  # type: ignore[attr-defined]
    assert seen == [0, 1, 2]
    assert len(script.chunk_gets) <= 2 + 3  # the read-ahead window, not all 49 chunks


async def test_a_dml_result_reports_affected_rows(server: FakeServer, http: DatabricksHttp) -> None:
    columns = [
        column("num_affected_rows", "LONG", "BIGINT", 0),
        column("num_inserted_rows", "LONG", "BIGINT", 1),
    ]
    StatementScript(server, columns, chunks=[[["3", "3"]]]).install()
    result = await warehouse(http).execute("INSERT INTO t VALUES (1), (2), (3)")
    assert result.affected_rows == 3


async def test_a_select_has_no_affected_rows(server: FakeServer, http: DatabricksHttp) -> None:
    StatementScript(server, [column("n", "INT")], chunks=[[["3"]]]).install()
    assert (await warehouse(http).execute("SELECT 3")).affected_rows is None


@pytest.mark.parametrize(
    ("message", "code", "expected"),
    [
        ("[TABLE_OR_VIEW_NOT_FOUND] The table or view `main`.`x`.`y` cannot be found.", "BAD_REQUEST", NotFound),
        ("[INSUFFICIENT_PERMISSIONS] User does not have SELECT on Table 'main.x.y'.", "BAD_REQUEST", PermissionDenied),
        ("[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'.", "BAD_REQUEST", InvalidInput),
    ],
)  # fmt: skip
async def test_a_failed_statement_raises_the_domain_error_with_code_and_sql_state(
    server: FakeServer, http: DatabricksHttp, message: str, code: str, expected: type
) -> None:
    final = {
        "state": "FAILED",
        "sql_state": "42P01",
        "error": {"error_code": code, "message": message},
    }
    StatementScript(server, [], final=final).install()
    with pytest.raises(expected) as raised:
        await warehouse(http).execute("SELECT * FROM main.x.y")
    details = raised.value.details
    assert details["error_code"] == code
    assert details["sql_state"] == "42P01"
    assert details["statement_id"] == "01ee-test-0001"
    assert details["condition"] == message[1 : message.index("]")]


async def test_a_statement_canceled_elsewhere_is_unavailable(
    server: FakeServer, http: DatabricksHttp
) -> None:
    StatementScript(server, [], final={"state": "CANCELED"}).install()
    with pytest.raises(Unavailable, match="CANCELED"):
        await warehouse(http).execute("SELECT 1")


async def test_the_statement_is_cancelled_when_the_caller_is_cancelled(
    server: FakeServer, http: DatabricksHttp
) -> None:
    script = StatementScript(server, [], submit_state="PENDING", poll_states=["RUNNING"] * 100)
    script.hold_poll = asyncio.Event()
    script.install()
    task = asyncio.create_task(warehouse(http).execute("SELECT slow()"))
    await script.poll_entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    script.hold_poll.set()  # let the abandoned poll handler finish
    assert script.cancelled == 1
    assert server.paths("POST")[-1] == f"{BASE}/{script.statement_id}/cancel"


async def test_the_statement_is_cancelled_when_its_deadline_passes(
    server: FakeServer, http: DatabricksHttp, virtual_time: VirtualTime
) -> None:
    script = StatementScript(server, [], submit_state="RUNNING", poll_states=["RUNNING"] * 1000)
    script.install()
    start = virtual_time.now
    with pytest.raises(DeadlineExceeded) as raised:
        await warehouse(http, poll_max=1.0).execute("SELECT slow()", deadline=5.0)
    assert raised.value.details["statement_id"] == script.statement_id
    assert script.cancelled == 1
    assert virtual_time.now - start == pytest.approx(5.0)


async def test_a_short_deadline_submits_asynchronously(
    server: FakeServer, http: DatabricksHttp
) -> None:
    script = StatementScript(server, [column("x", "INT")], chunks=[[["1"]]]).install()
    await warehouse(http).execute("SELECT 1", deadline=3.0)
    assert script.submitted[0]["wait_timeout"] == "0s"


async def test_a_read_submit_is_retried_after_503_but_a_write_is_not(
    server: FakeServer, http: DatabricksHttp
) -> None:
    script = StatementScript(server, [column("x", "INT")], chunks=[[["1"]]]).install()
    failures = {"left": 1}

    async def flaky_submit(request: web.Request) -> web.Response:
        if failures["left"]:
            failures["left"] -= 1
            return web.json_response({"error_code": "TEMPORARILY_UNAVAILABLE"}, status=503)
        return await script.submit(request)

    server.route("POST", BASE, flaky_submit)
    assert (await warehouse(http).execute("SELECT 1")).rows == [(1,)]
    failures["left"] = 1
    with pytest.raises(Unavailable):
        await warehouse(http).execute("UPDATE t SET x = 1")
    failures["left"] = 1
    result = await warehouse(http).execute("UPDATE t SET x = 1", idempotent=True)
    assert result.rows == [(1,)]


async def test_row_limit_is_sent_and_truncation_reported(
    server: FakeServer, http: DatabricksHttp
) -> None:
    script = StatementScript(
        server, [column("x", "INT")], chunks=[[["1"]]], truncated=True
    ).install()
    result = await warehouse(http).execute("SELECT x FROM t", row_limit=1)
    assert script.submitted[0]["row_limit"] == 1
    assert result.truncated


async def test_a_malformed_wire_value_is_invalid_input(
    server: FakeServer, http: DatabricksHttp
) -> None:
    StatementScript(server, [column("n", "LONG")], chunks=[[["not-a-number"]]]).install()
    with pytest.raises(InvalidInput):
        await warehouse(http).execute("SELECT n")


async def test_an_expired_external_link_is_replaced_by_asking_for_the_chunk_again(
    server: FakeServer, http: DatabricksHttp
) -> None:
    chunks = [[["1"]], [["2"]], [["3"]]]
    script = StatementScript(server, [column("n", "INT")], chunks=chunks, external=True)
    script.expire_once = {0, 1}
    script.install()
    result = await warehouse(http, disposition="EXTERNAL_LINKS").execute("SELECT n")
    assert [r[0] for r in result.rows] == [1, 2, 3]
    assert sorted(script.chunk_gets) == [0, 1, 1, 2]
