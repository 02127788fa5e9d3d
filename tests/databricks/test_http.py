"""The pooled HTTP core: auth per call, errors translated, retries only where safe."""

from __future__ import annotations

import pytest
from aiohttp import web

from appkit_adapters.databricks.http import DatabricksHttp, encode_query
from appkit_adapters.resilience import VirtualTime
from appkit_domain.errors import InvalidInput, NotFound, RateLimited, Unauthenticated, Unavailable

from .conftest import TOKEN, FakeServer


async def ok(request: web.Request) -> web.Response:
    return web.json_response({"path": request.path, "query": dict(request.query)})


async def test_calls_carry_the_bearer_token_and_accept_json(
    server: FakeServer, http: DatabricksHttp
) -> None:
    server.route("GET", "/api/2.0/x", ok)
    assert (await http.get("/api/2.0/x"))["path"] == "/api/2.0/x"
    request = server.seen[0]
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Accept"] == "application/json"


async def test_query_booleans_are_sent_as_true_false_and_none_is_dropped(
    server: FakeServer, http: DatabricksHttp
) -> None:
    server.route("GET", "/api/2.0/x", ok)
    answer = await http.get("/api/2.0/x", {"include_browse": True, "omit": False, "skip": None})
    assert answer["query"] == {"include_browse": "true", "omit": "false"}
    assert encode_query({"k": ["a", "b"]}) == [("k", "a"), ("k", "b")]


async def test_an_empty_success_body_is_an_empty_object(
    server: FakeServer, http: DatabricksHttp
) -> None:
    async def empty(request: web.Request) -> web.Response:
        return web.Response(status=200)

    server.route("POST", "/api/2.0/cancel", empty)
    assert await http.post("/api/2.0/cancel", {}) == {}


async def test_a_wire_error_becomes_a_domain_error_naming_the_operation(
    server: FakeServer, http: DatabricksHttp
) -> None:
    async def missing(request: web.Request) -> web.Response:
        return web.json_response(
            {"error_code": "TABLE_DOES_NOT_EXIST", "message": "nope"}, status=404
        )

    server.route("GET", "/api/2.1/unity-catalog/tables/a.b.c", missing)
    with pytest.raises(NotFound) as raised:
        await http.get("/api/2.1/unity-catalog/tables/a.b.c")
    assert raised.value.details["operation"] == "GET /api/2.1/unity-catalog/tables/a.b.c"


async def test_a_get_is_retried_after_429_honouring_retry_after(
    server: FakeServer, http: DatabricksHttp, virtual_time: VirtualTime
) -> None:
    answers = [
        web.json_response(
            {"error_code": "REQUEST_LIMIT_EXCEEDED"}, status=429, headers={"Retry-After": "2"}
        ),
        web.json_response(
            {"error_code": "TEMPORARILY_UNAVAILABLE"}, status=503, headers={"Retry-After": "1"}
        ),
        web.json_response({"ok": True}),
    ]

    async def throttled(request: web.Request) -> web.Response:
        return answers.pop(0)

    server.route("GET", "/api/2.0/x", throttled)
    assert await http.get("/api/2.0/x") == {"ok": True}
    assert virtual_time.sleeps == [2.0, 1.0]
    assert len(server.seen) == 3


async def test_a_plain_post_is_not_retried(server: FakeServer, http: DatabricksHttp) -> None:
    async def busy(request: web.Request) -> web.Response:
        return web.json_response({"error_code": "TEMPORARILY_UNAVAILABLE"}, status=503)

    server.route("POST", "/api/2.0/x", busy)
    with pytest.raises(Unavailable):
        await http.post("/api/2.0/x", {"a": 1})
    assert len(server.seen) == 1


async def test_a_post_marked_idempotent_is_retried(
    server: FakeServer, http: DatabricksHttp
) -> None:
    answers = [web.json_response({}, status=503), web.json_response({"done": 1})]

    async def flaky(request: web.Request) -> web.Response:
        return answers.pop(0)

    server.route("POST", "/api/2.0/x", flaky)
    assert await http.post("/api/2.0/x", {}, idempotent=True) == {"done": 1}


async def test_a_rate_limit_that_persists_surfaces_as_rate_limited(
    server: FakeServer, http: DatabricksHttp
) -> None:
    async def always(request: web.Request) -> web.Response:
        return web.json_response({}, status=429, headers={"Retry-After": "1"})

    server.route("GET", "/api/2.0/x", always)
    with pytest.raises(RateLimited) as raised:
        await http.get("/api/2.0/x")
    assert raised.value.retry_after == 1.0
    assert len(server.seen) == 4  # retry_max_attempts


async def test_a_dropped_connection_is_unavailable_and_retried(
    server: FakeServer, http: DatabricksHttp
) -> None:
    calls = 0

    async def drop_first(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        if calls == 1:
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        return web.json_response({"ok": True})

    server.route("GET", "/api/2.0/x", drop_first)
    assert await http.get("/api/2.0/x") == {"ok": True}
    assert calls == 2


async def test_a_user_view_sends_the_users_token_over_the_shared_session(
    server: FakeServer, http: DatabricksHttp
) -> None:
    server.route("GET", "/api/2.0/x", ok)
    user = http.for_user("user-token-123")
    await user.get("/api/2.0/x")
    assert server.seen[-1].headers["Authorization"] == "Bearer user-token-123"
    assert user.session is http.session
    assert user.pipeline is http.pipeline
    assert "user-token" not in repr(user.credentials)


async def test_an_echoed_token_is_scrubbed_from_error_messages(
    server: FakeServer, http: DatabricksHttp
) -> None:
    user = http.for_user("odd-token-shape-42")

    async def echo(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "error_code": "PERMISSION_DENIED",
                "message": f"bad {request.headers['Authorization']}",
            },
            status=403,
        )

    server.route("GET", "/api/2.0/x", echo)
    with pytest.raises(Exception) as raised:
        await user.get("/api/2.0/x")
    assert "odd-token-shape-42" not in str(raised.value)


async def test_external_links_are_fetched_without_the_authorization_header(
    server: FakeServer, http: DatabricksHttp
) -> None:
    async def blob(request: web.Request) -> web.Response:
        return web.Response(body=b'[["1"]]')

    server.route("GET", "/storage/chunk0", blob)
    data = await http.fetch_external(
        f"{server.url}/storage/chunk0", {"x-amz-sse": "AES256", "Authorization": "Bearer leak"}
    )
    assert data == b'[["1"]]'
    request = server.seen[0]
    assert "Authorization" not in request.headers
    assert request.headers["x-amz-sse"] == "AES256"


async def test_absolute_urls_to_another_host_never_get_credentials(http: DatabricksHttp) -> None:
    with pytest.raises(InvalidInput):
        http.url("https://evil.example.com/api/2.0/x")


async def test_a_client_that_was_not_started_says_so() -> None:
    client = DatabricksHttp("http://127.0.0.1:9", credentials=_token())
    with pytest.raises(Unavailable, match="not started"):
        await client.get("/x")


def _token():
    from appkit_adapters.databricks.credentials import BearerToken

    return BearerToken("t")


class RotatingToken:
    """Credentials that change when invalidated, like an OAuth token after refresh."""

    def __init__(self) -> None:
        self.generation = 1
        self.invalidated = 0

    async def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer oauth-{self.generation}"}

    def invalidate(self) -> None:
        self.invalidated += 1
        self.generation += 1

    def secret_values(self) -> tuple[str, ...]:
        return ()

    @property
    def can_refresh(self) -> bool:
        return True


async def test_a_401_is_tried_once_more_with_refreshed_credentials(
    server: FakeServer, http: DatabricksHttp
) -> None:
    async def only_fresh(request: web.Request) -> web.Response:
        if request.headers["Authorization"] != "Bearer oauth-2":
            return web.json_response({"error_code": 401, "message": "expired"}, status=401)
        return web.json_response({"ok": True})

    server.route("POST", "/api/2.0/x", only_fresh)
    credentials = RotatingToken()
    client = DatabricksHttp(server.url, credentials, _shared=http._shared)
    assert await client.post("/api/2.0/x", {}) == {"ok": True}
    assert credentials.invalidated == 1


async def test_a_401_with_a_fixed_token_is_unauthenticated_at_once(
    server: FakeServer, http: DatabricksHttp
) -> None:
    async def refuse(request: web.Request) -> web.Response:
        return web.json_response({"error_code": 401, "message": "no"}, status=401)

    server.route("GET", "/api/2.0/x", refuse)
    with pytest.raises(Unauthenticated):
        await http.get("/api/2.0/x")
    assert len(server.seen) == 1
