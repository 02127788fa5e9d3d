"""Unity Catalog client: paging, column types with a TTL, effective privileges."""

from __future__ import annotations

import pytest
from aiohttp import web

from appkit_adapters.databricks.catalog import UnityCatalog
from appkit_adapters.databricks.http import DatabricksHttp
from appkit_adapters.resilience import VirtualTime
from appkit_domain.errors import InvalidInput, NotFound, Unavailable
from appkit_domain.identifiers import TableName
from appkit_domain.principal import Principal

from .conftest import FakeServer

UC = "/api/2.1/unity-catalog"


def paged(key: str, pages: list[list[dict]]):
    """A handler serving ``pages`` in order through page tokens ``p1``, ``p2`` ..."""

    async def handler(request: web.Request) -> web.Response:
        index = int(request.query.get("page_token", "p0")[1:])
        body: dict = {key: pages[index]}
        if index + 1 < len(pages):
            body["next_page_token"] = f"p{index + 1}"
        elif index % 2:
            body["next_page_token"] = ""  # an empty token also ends the list
        return web.json_response(body)

    return handler


async def test_lists_follow_page_tokens_through_empty_pages(
    server: FakeServer, http: DatabricksHttp
) -> None:
    pages = [[{"name": "main"}], [], [{"name": "dev"}, {"name": "system"}]]
    server.route("GET", f"{UC}/catalogs", paged("catalogs", pages))
    catalogs = await UnityCatalog(http).list_catalogs()
    assert [c.name for c in catalogs] == ["main", "dev", "system"]
    assert server.paths() == [
        f"{UC}/catalogs?max_results=0",
        f"{UC}/catalogs?max_results=0&page_token=p1",
        f"{UC}/catalogs?max_results=0&page_token=p2",
    ]


async def test_schemas_tables_volumes_and_functions_are_listed(
    server: FakeServer, http: DatabricksHttp
) -> None:
    server.route(
        "GET", f"{UC}/schemas", paged("schemas", [[{"name": "gov", "catalog_name": "main"}]])
    )
    server.route("GET", f"{UC}/tables", paged("tables", [[{"name": "t1"}], [{"name": "t2"}]]))
    server.route("GET", f"{UC}/volumes", paged("volumes", [[{"name": "v"}]]))
    server.route("GET", f"{UC}/functions", paged("functions", [[{"name": "f"}]]))
    catalog = UnityCatalog(http)
    assert [s.full_name or s.name for s in await catalog.list_schemas("main")] == ["gov"]
    assert [t.name for t in await catalog.list_tables("main", "gov")] == ["t1", "t2"]
    assert [v.name for v in await catalog.list_volumes("main", "gov")] == ["v"]
    assert [f.name for f in await catalog.list_functions("main", "gov")] == ["f"]
    volume_query = next(p for p in server.paths() if "/volumes" in p)
    assert "max_results" not in volume_query  # the volumes API takes no forced page size


async def test_a_page_token_that_repeats_is_an_error_not_a_loop(
    server: FakeServer, http: DatabricksHttp
) -> None:
    async def stuck(request: web.Request) -> web.Response:
        return web.json_response({"catalogs": [], "next_page_token": "same"})

    server.route("GET", f"{UC}/catalogs", stuck)
    with pytest.raises(Unavailable, match="did not advance"):
        await UnityCatalog(http).list_catalogs()


async def test_browse_names_are_validated_before_any_call(http: DatabricksHttp) -> None:
    with pytest.raises(InvalidInput):
        await UnityCatalog(http).list_schemas("main; DROP")


TABLE = {
    "name": "orders",
    "full_name": "main.sales.orders",
    "columns": [
        {"name": "id", "type_text": "bigint", "type_name": "LONG", "position": 0},
        {"name": "amount", "type_text": "decimal(10,2)", "type_name": "DECIMAL", "position": 1},
        {"name": "tags", "type_text": "array<string>", "type_name": "ARRAY", "position": 2},
        {"name": "at", "type_text": "timestamp", "type_name": "TIMESTAMP", "position": 3},
    ],
}


async def test_column_types_come_from_table_info_and_are_cached_for_the_ttl(
    server: FakeServer, http: DatabricksHttp, virtual_time: VirtualTime
) -> None:
    async def table(request: web.Request) -> web.Response:
        return web.json_response(TABLE)

    server.route("GET", f"{UC}/tables/main.sales.orders", table)
    catalog = UnityCatalog(http, metadata_ttl=60)
    types = await catalog.column_types(TableName.parse("main.sales.orders"))
    assert types == {
        "id": "BIGINT",
        "amount": "DECIMAL(10,2)",
        "tags": "array<string>",
        "at": "TIMESTAMP",
    }
    await catalog.column_types("main.sales.orders")
    assert len(server.seen) == 1
    virtual_time.advance(61)
    await catalog.column_types("main.sales.orders")
    assert len(server.seen) == 2


async def test_column_types_of_an_unknown_table_is_not_found(
    server: FakeServer, http: DatabricksHttp
) -> None:
    async def missing(request: web.Request) -> web.Response:
        return web.json_response({"error_code": "TABLE_DOES_NOT_EXIST"}, status=404)

    server.route("GET", f"{UC}/tables/main.sales.gone", missing)
    with pytest.raises(NotFound):
        await UnityCatalog(http).column_types("main.sales.gone")


def effective(assignments: dict[str, list[dict]]):
    async def handler(request: web.Request) -> web.Response:
        securable = request.path.removeprefix(f"{UC}/effective-permissions/")
        return web.json_response({"privilege_assignments": assignments.get(securable, [])})

    return handler


ALICE = Principal("u-1", "alice@example.com", groups=frozenset({"analysts"}))
BOB = Principal("u-2", "bob@example.com")
TABLE_NAME = TableName.parse("main.sales.orders")


def grants() -> dict[str, list[dict]]:
    return {
        "TABLE/main.sales.orders": [
            {"principal": "analysts", "privileges": [{"privilege": "SELECT"}]},
            {
                "principal": "alice@example.com",
                "privileges": [
                    {"privilege": "MODIFY", "inherited_from_type": "SCHEMA",
                     "inherited_from_name": "main.sales"}
                ],
            },
            {"principal": "bob@example.com", "privileges": [{"privilege": "SELECT"}]},
        ],
        "SCHEMA/main.sales": [
            {"principal": "account users", "privileges": [{"privilege": "USE_SCHEMA"}]}
        ],
        "CATALOG/main": [
            {"principal": "analysts", "privileges": [{"privilege": "USE_CATALOG"}]},
            {"principal": "alice@example.com", "privileges": [{"privilege": "USE_CATALOG"}]},
        ],
    }  # fmt: skip


async def test_select_via_a_group_with_use_catalog_and_use_schema_is_allowed(
    server: FakeServer, http: DatabricksHttp
) -> None:
    server.route_prefix("GET", f"{UC}/effective-permissions/", effective(grants()))
    catalog = UnityCatalog(http)
    assert await catalog.can_select(ALICE, TABLE_NAME)
    assert await catalog.can_modify(ALICE, TABLE_NAME)


async def test_select_without_use_catalog_is_refused(
    server: FakeServer, http: DatabricksHttp
) -> None:
    server.route_prefix("GET", f"{UC}/effective-permissions/", effective(grants()))
    catalog = UnityCatalog(http)
    assert not await catalog.can_select(BOB, TABLE_NAME)
    assert not await catalog.can_modify(BOB, TABLE_NAME)


async def test_all_privileges_implies_select_and_modify(
    server: FakeServer, http: DatabricksHttp
) -> None:
    everything = [{"principal": "bob@example.com", "privileges": [{"privilege": "ALL_PRIVILEGES"}]}]
    server.route_prefix(
        "GET",
        f"{UC}/effective-permissions/",
        effective(
            {
                k: everything
                for k in ("TABLE/main.sales.orders", "SCHEMA/main.sales", "CATALOG/main")
            }
        ),
    )
    catalog = UnityCatalog(http)
    assert await catalog.can_select(BOB, TABLE_NAME)
    assert await catalog.can_modify(BOB, TABLE_NAME)


async def test_an_unknown_table_answers_no_rather_than_not_found(
    server: FakeServer, http: DatabricksHttp
) -> None:
    async def missing(request: web.Request) -> web.Response:
        return web.json_response({"error_code": "TABLE_DOES_NOT_EXIST"}, status=404)

    server.route_prefix("GET", f"{UC}/effective-permissions/", missing)
    assert not await UnityCatalog(http).can_select(ALICE, TABLE_NAME)


async def test_privilege_answers_are_cached_for_their_ttl(
    server: FakeServer, http: DatabricksHttp, virtual_time: VirtualTime
) -> None:
    server.route_prefix("GET", f"{UC}/effective-permissions/", effective(grants()))
    catalog = UnityCatalog(http, privilege_ttl=30)
    await catalog.can_select(ALICE, TABLE_NAME)
    await catalog.can_modify(ALICE, TABLE_NAME)
    assert len(server.seen) == 3
    virtual_time.advance(31)
    await catalog.can_select(ALICE, TABLE_NAME)
    assert len(server.seen) == 6
