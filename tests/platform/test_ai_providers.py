"""Every AI provider behind one port, each against a local server speaking its wire format.

Anthropic, OpenAI and Gemini run through their official SDKs pointed at
:mod:`appkit_testing.ai_wire`; Databricks serving runs against the emulated
workspace's echo-chat endpoint. No test needs the internet.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from appkit_adapters.ai.anthropic import AnthropicProvider
from appkit_adapters.ai.databricks import DatabricksServingProvider
from appkit_adapters.ai.gemini import GeminiProvider
from appkit_adapters.ai.openai import OpenAiProvider
from appkit_adapters.ai.port import AiProvider
from appkit_adapters.databricks.credentials import BearerToken
from appkit_adapters.databricks.http import DatabricksHttp
from appkit_adapters.databricks.serving import ServingEndpoints
from appkit_domain.errors import NotFound, Unauthenticated
from appkit_testing.ai_wire import AiWireServer, start_ai_server
from appkit_web.ai_providers import provider_name, provider_statuses
from tests.platform_world import World
from tests.web.conftest import make_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")
KEY = "sk-ant-local-test-key-0123456789abcdef"


@pytest.fixture(scope="module")
def wire() -> Iterator[AiWireServer]:
    server = start_ai_server(KEY)
    yield server
    server.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def serving(world: World) -> AsyncIterator[ServingEndpoints]:
    http = DatabricksHttp(world.emulator.host, BearerToken(world.emulator.admin_token))
    await http.start()
    yield ServingEndpoints(http)
    await http.close()


def third_party(name: str, url: str, key: str = KEY, model: str | None = None) -> AiProvider:
    if name == "anthropic":
        return AnthropicProvider(key, model or "claude-echo", base_url=url)
    if name == "openai":
        return OpenAiProvider(key, model or "gpt-echo", base_url=f"{url}/v1")
    return GeminiProvider(key, model or "gemini-echo", base_url=url)


@pytest.mark.parametrize("name", ["anthropic", "openai", "gemini"])
async def test_each_sdk_completes_through_its_wire_format(wire: AiWireServer, name: str):
    provider = third_party(name, wire.url)
    answer = await provider.complete("close the books", system="be terse", max_tokens=50)
    assert (answer.text, answer.provider) == ("close the books", name)
    assert answer.output_tokens == 3
    await provider.check()
    sent = wire.requests[-1]
    assert sent["provider"] == name and KEY not in str(sent)


@pytest.mark.parametrize("name", ["anthropic", "openai", "gemini"])
async def test_a_refused_key_is_unauthenticated_and_never_echoed(wire: AiWireServer, name: str):
    wrong = "sk-ant-wrong-key-0123456789abcdefghij"
    with pytest.raises(Unauthenticated) as refused:
        await third_party(name, wire.url, key=wrong).complete("hi")
    assert wrong not in str(refused.value)
    with pytest.raises(NotFound):
        await third_party(name, wire.url, model="no-such-model").complete("hi")


async def test_databricks_serving_is_a_provider_too(serving: ServingEndpoints):
    provider = DatabricksServingProvider(serving, "databricks-echo-chat")
    answer = await provider.complete("month end close", system="ignored by echo")
    assert (answer.text, answer.provider, answer.model) == (
        "month end close",
        "databricks",
        "databricks-echo-chat",
    )
    await provider.check()
    with pytest.raises(NotFound):
        await DatabricksServingProvider(serving, "absent").check()


async def test_provider_statuses_say_what_is_configured_installed_and_reachable(
    wire: AiWireServer, serving: ServingEndpoints, tmp_path: Path
):
    settings = make_settings(
        tmp_path,
        AI_ENABLED="true",
        APPKIT_AI_SERVING_ENDPOINT="databricks-echo-chat",
        ANTHROPIC_API_KEY=KEY, ANTHROPIC_MODEL="claude-echo", ANTHROPIC_BASE_URL=wire.url,
        OPENAI_API_KEY="sk-wrong-but-configured-0123456789", OPENAI_BASE_URL=f"{wire.url}/v1",
    )  # fmt: skip
    statuses = {s.name: s for s in await provider_statuses(settings, lambda: serving)}
    assert statuses["databricks"].reachable and statuses["anthropic"].reachable
    assert statuses["openai"].configured and statuses["openai"].reachable is False
    assert statuses["openai"].detail.startswith("unauthenticated")
    assert not statuses["gemini"].configured and statuses["gemini"].reachable is None
    assert KEY not in repr(statuses) and KEY not in repr(settings)
    assert provider_name("claude", settings) == "anthropic"
