"""``lakehouse-appkit ai``: the configured AI providers, and scaffolding with guardrails.

``generate-endpoint`` and ``generate-adapter`` write code only when every
guardrail passes (see :mod:`appkit_web.scaffold.guardrails`); otherwise they
print the guardrail report, write nothing and exit 1. Each run is recorded
in the configured backend's audit log with the prompt's and the answer's
hashes; the texts themselves are kept only with ``--keep-transcript``.
"""

from __future__ import annotations

import asyncio
import base64
import getpass
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from appkit_domain.audit import AuditLog
from appkit_domain.errors import InvalidInput
from appkit_web.cli.app import app
from appkit_web.cli.audit import _with_audit_log
from appkit_web.cli.output import JSON_OPTION_HELP, ExitCode, emit, fail, note, print_json, reported
from appkit_web.settings import Settings, SettingsError, load_settings

ai_app = typer.Typer(
    help="AI providers and code scaffolding with guardrails.\n\n"
    'Example: lakehouse-appkit ai generate-endpoint user-api --method GET --prompt "..."',
    no_args_is_help=True,
)
app.add_typer(ai_app, name="ai")

JsonOption = typer.Option(False, "--json", help=JSON_OPTION_HELP)
KEY_SETTINGS = ("anthropic_api_key", "openai_api_key", "google_api_key")


def _settings() -> Settings:
    try:
        settings = load_settings()
    except SettingsError as error:
        fail(str(error), ExitCode.USAGE)
    return _resolve_keys(settings)


def _resolve_keys(settings: Settings) -> Settings:
    """``secret://scope/key`` API keys read through the configured workspace."""
    from appkit_web.secret_refs import parse_ref

    refs = {name: parse_ref(getattr(settings, name) or "") for name in KEY_SETTINGS}
    wanted = {name: ref for name, ref in refs.items() if ref is not None}
    if not wanted:
        return settings
    from appkit_web.cli.connection import workspace_client

    w = workspace_client()
    resolved: dict[str, str] = {}
    with reported("read AI keys from secret scopes"):
        for name, (scope, key) in wanted.items():
            value = w.secrets.get_secret(scope=scope, key=key).value or ""
            resolved[name] = base64.b64decode(value).decode("utf-8")
    return settings.model_copy(update=resolved)


@asynccontextmanager
async def _serving(settings: Settings) -> AsyncIterator[Any]:
    """Serving endpoints of the configured workspace (opened only when Databricks is set up)."""
    if not settings.ai_serving_endpoint:

        def missing() -> Any:
            raise InvalidInput("set APPKIT_AI_SERVING_ENDPOINT to use Databricks serving")

        yield missing
        return
    from appkit_adapters.databricks.http import DatabricksHttp
    from appkit_adapters.databricks.serving import ServingEndpoints
    from appkit_web.cli.connection import workspace_client

    http = DatabricksHttp.from_config(workspace_client().config)
    await http.start()
    try:
        yield lambda: ServingEndpoints(http)
    finally:
        await http.close()


@ai_app.command("providers")
def providers(as_json: bool = JsonOption) -> None:
    """Show each AI provider: configured, installed, reachable, model.

    Example: lakehouse-appkit ai providers
    """
    from appkit_web.ai_providers import provider_statuses

    settings = _settings()

    async def gather() -> list[Any]:
        async with _serving(settings) as serving:
            return await provider_statuses(settings, serving)

    statuses = asyncio.run(gather())
    rows = [{**asdict(s), "default": s.name == settings.ai_provider} for s in statuses]
    if not settings.ai_enabled:
        note("AI is disabled (AI_ENABLED is not true): the generate commands refuse to run")
    emit(
        rows,
        ["name", "default", "configured", "installed", "reachable", "model", "detail"],
        as_json=as_json,
    )


async def _record(action: Any) -> Any:
    """``action(audit_log)`` on the configured backend; refuse to go on without an audit log."""
    from appkit_domain.errors import NotFound

    try:
        return await _with_audit_log(action)
    except NotFound as error:
        raise InvalidInput(
            f"the audit log is not there ({error.message}): run `lakehouse-appkit db init` first"
        ) from None


def _run(
    request: Any, provider_option: str | None, out: Path, force: bool, keep: bool, as_json: bool
) -> None:
    from appkit_web.ai_providers import build_provider, provider_name
    from appkit_web.scaffold.scaffolder import scaffold

    settings = _settings()
    if not settings.ai_enabled:
        fail("AI is disabled: set AI_ENABLED=true to generate code", ExitCode.USAGE)
    with reported("choose the AI provider"):
        name = provider_name(provider_option, settings)
    project = out.resolve()

    async def generate(audit: AuditLog) -> Any:
        async with _serving(settings) as serving:
            provider = build_provider(name, settings, serving)
            return await scaffold(
                request,
                provider,
                project,
                audit,
                actor=f"cli:{getpass.getuser()}",
                overwrite=force,
                keep_transcript=keep,
            )

    with reported(f"generate {request.kind} {request.name}"):
        outcome = asyncio.run(_record(generate))
    if as_json:
        print_json(
            {
                "accepted": outcome.accepted,
                "guardrails": outcome.report.as_dict(),
                "written": [str(p) for p in outcome.written],
                "transcript": str(outcome.transcript) if outcome.transcript else None,
            }
        )
    else:
        for line in outcome.report.lines():
            typer.echo(line)
        for path in outcome.written:
            note(f"wrote {path}")
        if outcome.transcript:
            note(f"transcript kept in {outcome.transcript}")
    if not outcome.accepted:
        fail(
            f"generate {request.kind} {request.name}: refused by the guardrails; "
            "nothing was written",
            ExitCode.FAILURE,
        )


OutOption = typer.Option(Path("."), "--out", help="The project folder to write into.")
ForceOption = typer.Option(False, "--force", help="Replace files that exist.")
KeepOption = typer.Option(
    False, "--keep-transcript", help="Keep the prompt and the answer in .appkit/transcripts/."
)
ProviderOption = typer.Option(
    None,
    "--provider",
    help="databricks, anthropic (claude), openai or gemini; default APPKIT_AI_PROVIDER.",
)


@ai_app.command("generate-endpoint")
def generate_endpoint(
    name: str = typer.Argument(..., help="Router name, e.g. user-api."),
    method: str = typer.Option("GET", "--method", help="HTTP method of the route."),
    prompt: str = typer.Option(..., "--prompt", help="What the endpoint should do."),
    provider: str | None = ProviderOption,
    out: Path = OutOption,
    force: bool = ForceOption,
    keep_transcript: bool = KeepOption,
    as_json: bool = JsonOption,
) -> None:
    """Write routers/NAME.py and tests/test_NAME.py, if they pass every guardrail.

    Example: lakehouse-appkit ai generate-endpoint user-api --method GET --provider claude
    --prompt "list users from a fixed list, paginated"
    """
    from appkit_web.scaffold.prompts import endpoint_request

    with reported("generate endpoint"):
        request = endpoint_request(name, method, prompt)
    _run(request, provider, out, force, keep_transcript, as_json)


@ai_app.command("generate-adapter")
def generate_adapter(
    name: str = typer.Argument(..., help="Adapter name, e.g. snowflake-audit."),
    platform: str = typer.Option("databricks", "--platform", help="Target platform."),
    port: str = typer.Option("audit_store", "--port", help="The domain port to implement."),
    prompt: str = typer.Option("", "--prompt", help="Anything the adapter must do or use."),
    provider: str | None = ProviderOption,
    out: Path = OutOption,
    force: bool = ForceOption,
    keep_transcript: bool = KeepOption,
    as_json: bool = JsonOption,
) -> None:
    """Write adapters/NAME.py and its contract-suite test, if they pass every guardrail.

    Example: lakehouse-appkit ai generate-adapter lakebase-audit --platform databricks
    """
    from appkit_web.scaffold.prompts import adapter_request

    with reported("generate adapter"):
        request = adapter_request(name, platform, port, prompt)
    _run(request, provider, out, force, keep_transcript, as_json)
