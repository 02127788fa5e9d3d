"""The AI provider the settings choose, and what ``ai providers`` reports about each.

``APPKIT_AI_PROVIDER`` names the default (``databricks`` first: the prompt
stays in the workspace); a command may name another. Aliases people use
(``claude``, ``gpt``, ``google``) are accepted. A provider is *configured*
when its key (or, for Databricks, ``APPKIT_AI_SERVING_ENDPOINT``) is set,
*installed* when its SDK imports, and *reachable* when a cheap call answers.
Keys never appear in what is reported.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

from appkit_adapters.ai.port import AiProvider, ProviderStatus
from appkit_domain.errors import AppkitError, InvalidInput
from appkit_web.settings import AI_PROVIDER_NAMES, Settings

ALIASES = {"claude": "anthropic", "gpt": "openai", "chatgpt": "openai", "google": "gemini"}
SDK_MODULES = {
    "databricks": "databricks.sdk",
    "anthropic": "anthropic",
    "openai": "openai",
    "gemini": "google.genai",
}
ServingFactory = Callable[[], Any]
"""Gives the :class:`~appkit_adapters.databricks.serving.ServingEndpoints` to use (started)."""


def provider_name(name: str | None, settings: Settings) -> str:
    chosen = (name or settings.ai_provider).strip().lower()
    chosen = ALIASES.get(chosen, chosen)
    if chosen not in AI_PROVIDER_NAMES:
        raise InvalidInput(
            f"unknown AI provider {name!r}: use {', '.join(AI_PROVIDER_NAMES)} (or claude, gpt)"
        )
    return chosen


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(SDK_MODULES[name]) is not None
    except ModuleNotFoundError:
        return False


def _model(name: str, settings: Settings) -> str | None:
    return {
        "databricks": settings.ai_serving_endpoint,
        "anthropic": settings.anthropic_model,
        "openai": settings.openai_model,
        "gemini": settings.google_model,
    }[name]


def _key(name: str, settings: Settings) -> str | None:
    return {
        "databricks": settings.ai_serving_endpoint,
        "anthropic": settings.anthropic_api_key,
        "openai": settings.openai_api_key,
        "gemini": settings.google_api_key,
    }[name]


def build_provider(name: str, settings: Settings, serving: ServingFactory) -> AiProvider:
    """The provider ``name``; ``InvalidInput`` naming the setting that is missing."""
    if name == "databricks":
        from appkit_adapters.ai.databricks import DatabricksServingProvider

        if not settings.ai_serving_endpoint:
            raise InvalidInput(
                "the databricks AI provider needs APPKIT_AI_SERVING_ENDPOINT "
                "(a chat serving endpoint)"
            )
        return DatabricksServingProvider(serving(), settings.ai_serving_endpoint)
    setting = {
        "anthropic": "ANTHROPIC_API_KEY",
        "openai": "OPENAI_API_KEY",
        "gemini": "GOOGLE_API_KEY",
    }[name]
    key = _key(name, settings)
    if not key:
        raise InvalidInput(f"the {name} AI provider needs {setting}")
    if name == "anthropic":
        from appkit_adapters.ai.anthropic import AnthropicProvider

        return AnthropicProvider(
            key, settings.anthropic_model, base_url=settings.anthropic_base_url
        )
    if name == "openai":
        from appkit_adapters.ai.openai import OpenAiProvider

        return OpenAiProvider(key, settings.openai_model, base_url=settings.openai_base_url)
    from appkit_adapters.ai.gemini import GeminiProvider

    return GeminiProvider(key, settings.google_model, base_url=settings.google_base_url)


async def provider_statuses(settings: Settings, serving: ServingFactory) -> list[ProviderStatus]:
    """Every provider: configured, installed, reachable (only asked when both)."""
    statuses = []
    for name in AI_PROVIDER_NAMES:
        configured, installed = bool(_key(name, settings)), _installed(name)
        reachable: bool | None = None
        detail = "" if configured else "not configured"
        if not installed:
            detail = f"not installed: pip install 'lakehouse-appkit[{name}]'"
        elif configured:
            try:
                await build_provider(name, settings, serving).check()
                reachable, detail = True, "ok"
            except AppkitError as error:
                reachable, detail = False, f"{error.code}: {error.message}"[:200]
        statuses.append(
            ProviderStatus(name, configured, installed, reachable, _model(name, settings), detail)
        )
    return statuses
