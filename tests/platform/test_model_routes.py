"""``/api/model`` on the databricks backend: every call runs as the user, audited by hash."""

from __future__ import annotations

import json
import random

import pytest
from databricks.sdk.service.serving import (
    EndpointCoreConfigInput,
    ServedEntityInput,
    ServingEndpointAccessControlRequest,
    ServingEndpointPermissionLevel,
)

from appkit_adapters.databricks.credentials import BearerToken
from appkit_adapters.databricks.http import DatabricksHttp
from appkit_adapters.databricks.serving import ServingEndpoints
from appkit_adapters.resilience import ResiliencePipeline, ResiliencePolicy
from appkit_domain.errors import InvalidInput, NotFound, Unavailable
from tests.platform_world import PlatformApi, World
from tests.web.conftest import ALICE, DAVE

pytestmark = pytest.mark.asyncio(loop_scope="module")
PROMPT = "summarise the confidential merger memo"


@pytest.fixture(scope="module")
def risk_score(world: World) -> str:
    entity = ServedEntityInput(entity_name="appkit.linear",
                               environment_vars={"COEFFICIENTS": "[0.5, 2]"})  # fmt: skip
    config = EndpointCoreConfigInput(name="risk-score", served_entities=[entity])
    world.admin.serving_endpoints.create("risk-score", config=config)
    endpoint_id = world.admin.serving_endpoints.get("risk-score").id
    grant = ServingEndpointAccessControlRequest(
        group_name="data-stewards", permission_level=ServingEndpointPermissionLevel.CAN_QUERY
    )
    world.admin.serving_endpoints.set_permissions(endpoint_id, access_control_list=[grant])
    return "risk-score"


async def test_endpoints_are_listed_as_the_user_sees_them(platform_api: PlatformApi, risk_score):
    alice = {
        e["name"] for e in (await platform_api.get("/api/model/endpoints", ALICE)).json()["items"]
    }
    dave = {
        e["name"] for e in (await platform_api.get("/api/model/endpoints", DAVE)).json()["items"]
    }
    assert risk_score in alice and risk_score not in dave
    assert "databricks-echo-chat" in dave
    one = await platform_api.get(f"/api/model/endpoints/{risk_score}", ALICE)
    assert one.status_code == 200 and one.json()["permission_level"] == "CAN_QUERY"


async def test_predict_runs_with_the_callers_permissions(platform_api: PlatformApi, risk_score):
    ok = await platform_api.post(f"/api/model/{risk_score}/predict", ALICE,
                                 json={"inputs": [[2, 1], [0, 3]]})  # fmt: skip
    assert ok.status_code == 200, ok.text
    assert ok.json()["predictions"] == [3.0, 6.0]
    denied = await platform_api.post(f"/api/model/{risk_score}/predict", DAVE,
                                     json={"inputs": [[2, 1]]})  # fmt: skip
    assert denied.status_code == 403
    bad = await platform_api.post(f"/api/model/{risk_score}/predict", ALICE,
                                  json={"inputs": [[1, 2, 3]]})  # fmt: skip
    assert bad.status_code == 400
    missing = await platform_api.post("/api/model/nope/predict", ALICE, json={"inputs": [[1]]})
    assert missing.status_code == 404
    unknown = await platform_api.post(f"/api/model/{risk_score}/predict", ALICE, json={"x": 1})
    assert unknown.status_code == 400
    events = await platform_api.audit("model.predict")
    assert {e["details"]["executes_as"] for e in events} == {"user"}
    assert {e["details"]["outcome"] for e in events} >= {"ok", "permission_denied", "not_found"}


async def test_chat_answers_and_the_prompt_never_reaches_the_audit_log(platform_api: PlatformApi):
    reply = await platform_api.post(
        "/api/model/databricks-echo-chat/chat",
        DAVE,
        json={"messages": [{"role": "user", "content": PROMPT}], "max_tokens": 2},
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["choices"][0]["message"]["content"] == "summarise the"
    events = await platform_api.audit("model.chat")
    text = json.dumps(events)
    assert PROMPT not in text and "summarise" not in text
    assert events[-1]["details"]["usage"]["completion_tokens"] == 2
    assert events[-1]["target"] == "serving-endpoint:databricks-echo-chat"


async def test_a_call_without_the_users_token_is_refused_not_made_as_the_app(
    platform_api: PlatformApi,
):
    response = await platform_api.get("/api/model/endpoints", headers={"X-Forwarded-Email": ALICE})
    assert response.status_code in (401, 403)


async def test_a_slow_endpoint_times_out_as_unavailable_and_bad_names_are_refused(world: World):
    policy = ResiliencePolicy(
        retry_max_attempts=1, retry_initial_delay=0.1, retry_max_delay=0.1, retry_after_cap=1.0,
        rate_limit_requests_per_second=None, circuit_breaker_failure_threshold=50,
        circuit_breaker_timeout=5.0, request_timeout=0.2, deadline=5.0,
    )  # fmt: skip
    http = DatabricksHttp(world.emulator.host, BearerToken(world.emulator.admin_token),
                          pipeline=ResiliencePipeline(policy, rng=random.Random(1)))  # fmt: skip
    await http.start()
    serving = ServingEndpoints(http)
    try:
        world.emulator.set_faults({"latency_ms": 600})
        with pytest.raises(Unavailable):
            await serving.chat("databricks-echo-chat", [{"role": "user", "content": "hi"}])
        world.emulator.set_faults({})
        assert (await serving.embed("databricks-hash-embeddings", ["a", "b"]))[1]
        with pytest.raises(InvalidInput):
            await serving.predict("bad name!", {"inputs": [[1]]})
        with pytest.raises(NotFound):
            await serving.get_endpoint("absent")
    finally:
        world.emulator.set_faults({})
        await http.close()
