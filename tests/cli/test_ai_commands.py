"""``ai providers``, ``ai generate-endpoint`` and ``ai generate-adapter`` end to end.

The model is the emulated workspace's echo chat (it answers with the prompt,
so the test writes the answer) or, for ``--provider claude``, the local
Anthropic wire server. Every run lands in the local backend's audit log by hash.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import pytest

from appkit_domain.audit import AuditQuery
from appkit_testing.ai_wire import start_ai_server
from appkit_web.cli.audit import _with_audit_log
from tests.scaffold.samples import BROKEN, answer

ADAPTER = '''"""An audit store for the lakebase: the in-memory store stands in for its tables."""

from appkit_testing.fakes import InMemoryAuditStore


class LakebaseAudit(InMemoryAuditStore):
    """Holds audit events in memory, as the contract expects of an empty store."""
'''
ADAPTER_TEST = """import pytest
from appkit_testing.contracts import AuditStoreContract

from adapters.lakebase_audit import LakebaseAudit


class TestLakebaseAudit(AuditStoreContract):
    @pytest.fixture
    async def store(self):
        yield LakebaseAudit()
"""


@pytest.fixture
def ai_cli(ws_cli, tmp_path: Path):
    ws_cli.env.update(
        AI_ENABLED="true",
        APPKIT_AI_SERVING_ENDPOINT="databricks-echo-chat",
        APPKIT_BACKEND="local",
        APPKIT_DATA_DIR=str(tmp_path / "lake"),
    )
    assert ws_cli("db", "init").exit_code == 0
    (tmp_path / "project").mkdir()
    return ws_cli


def test_generate_endpoint_writes_code_that_passes_every_guardrail(ai_cli, tmp_path: Path):
    project = tmp_path / "project"
    prompt = answer()
    result = ai_cli(
        "ai",
        "generate-endpoint",
        "hello",
        "--method",
        "GET",
        "--prompt",
        prompt,
        "--out",
        str(project),
        "--keep-transcript",
    )
    assert result.exit_code == 0, result.output
    assert "[pass] test" in result.stdout
    assert (project / "routers" / "hello.py").read_text().startswith('"""Greets')
    assert "def test_hello_greets_by_name" in (project / "tests" / "test_hello.py").read_text()
    (transcript,) = (project / ".appkit" / "transcripts").iterdir()
    assert json.loads(transcript.read_text())["prompt"] == prompt
    assert ai_cli("audit", "verify").exit_code == 0
    again = ai_cli("ai", "generate-endpoint", "hello", "--prompt", prompt, "--out", str(project))
    assert again.exit_code == 1 and "overwrite" in again.stderr


def test_a_guardrail_failure_prints_the_report_and_writes_nothing(ai_cli, tmp_path: Path):
    project = tmp_path / "project"
    result = ai_cli(
        "ai",
        "generate-endpoint",
        "hello",
        "--prompt",
        answer(BROKEN["imports"]),
        "--out",
        str(project),
        "--json",
    )
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["accepted"] is False and report["guardrails"]["imports"] is False
    assert report["written"] == [] and not (project / "routers").exists()
    assert not (project / ".appkit").exists()  # no transcript unless asked


def test_the_audit_log_keeps_the_prompt_and_answer_by_hash_only(
    ai_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    prompt = answer(BROKEN["secrets"])
    refused = ai_cli(
        "ai", "generate-endpoint", "leaky", "--prompt", prompt, "--out", str(tmp_path / "project")
    )
    assert refused.exit_code == 1

    async def read(log):  # type: ignore[no-untyped-def]
        return (await log.query(AuditQuery(action="ai.generate_endpoint"))).items

    monkeypatch.setenv("APPKIT_BACKEND", "local")
    monkeypatch.setenv("APPKIT_DATA_DIR", str(tmp_path / "lake"))
    (event,) = asyncio.run(_with_audit_log(read))
    assert event.details["outcome"] == "refused"
    assert event.details["guardrails"]["secrets"] is False
    assert event.details["answer_sha256"] == hashlib.sha256(prompt.encode()).hexdigest()
    assert "sk-ant" not in json.dumps(dict(event.details)) and "Greeting" not in str(event.details)


def test_generate_adapter_writes_an_adapter_and_its_contract_suite(ai_cli, tmp_path: Path):
    project = tmp_path / "project"
    prompt = f"```python\n{ADAPTER}```\n```python\n{ADAPTER_TEST}```\n"
    result = ai_cli(
        "ai",
        "generate-adapter",
        "lakebase-audit",
        "--platform",
        "databricks",
        "--port",
        "audit_store",
        "--prompt",
        prompt,
        "--out",
        str(project),
    )
    assert result.exit_code == 0, result.output
    assert (project / "adapters" / "lakebase_audit.py").exists()
    assert ai_cli("ai", "generate-adapter", "x", "--platform", "snowflake").exit_code == 2


def test_providers_and_a_third_party_provider_through_its_sdk(ai_cli, tmp_path: Path):
    server = start_ai_server("sk-ant-cli-test-0123456789abcdefgh")
    try:
        ai_cli.env.update(
            ANTHROPIC_API_KEY="sk-ant-cli-test-0123456789abcdefgh",
            ANTHROPIC_MODEL="claude-echo",
            ANTHROPIC_BASE_URL=server.url,
        )
        shown = json.loads(ai_cli("ai", "providers", "--json").stdout)
        by_name = {row["name"]: row for row in shown}
        assert by_name["databricks"]["reachable"] and by_name["anthropic"]["reachable"]
        assert by_name["openai"]["configured"] is False
        assert "sk-ant-cli" not in json.dumps(shown)
        made = ai_cli(
            "ai",
            "generate-endpoint",
            "hello",
            "--provider",
            "claude",
            "--prompt",
            answer(),
            "--out",
            str(tmp_path / "project"),
        )
        assert made.exit_code == 0, made.output
        assert server.requests[-1]["provider"] == "anthropic"
    finally:
        server.stop()


def test_ai_is_refused_when_disabled_or_unconfigured(ws_cli, tmp_path: Path):
    off = ws_cli("ai", "generate-endpoint", "x", "--prompt", "p", "--out", str(tmp_path))
    assert off.exit_code == 2 and "AI_ENABLED" in off.stderr
    ws_cli.env.update(AI_ENABLED="true")
    missing = ws_cli(
        "ai",
        "generate-endpoint",
        "x",
        "--prompt",
        "p",
        "--provider",
        "openai",
        "--out",
        str(tmp_path),
    )
    assert missing.exit_code == 2 and "OPENAI_API_KEY" in missing.stderr
    assert ws_cli("ai", "generate-endpoint", "Bad Name", "--prompt", "p").exit_code == 2
