"""One port for every text model the toolkit uses: Databricks serving, Anthropic, OpenAI, Gemini.

A provider completes a prompt (with an optional system text) and says
whether it is reachable. Every implementation raises only the domain error
tree: a refused key is ``Unauthenticated``, an unknown model ``NotFound``,
throttling ``RateLimited``, a provider that cannot answer ``Unavailable``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

PROVIDERS = ("databricks", "anthropic", "openai", "gemini")


@dataclass(frozen=True)
class Completion:
    """A model's answer; token counts as the provider reports them (None when it does not)."""

    text: str
    provider: str
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None


@dataclass(frozen=True)
class ProviderStatus:
    """What ``ai providers`` shows: configured, installed (its SDK), reachable, and why not."""

    name: str
    configured: bool
    installed: bool
    reachable: bool | None
    model: str | None
    detail: str = ""


class AiProvider(Protocol):
    name: str
    model: str

    async def complete(
        self, prompt: str, *, system: str | None = None, max_tokens: int = 4096
    ) -> Completion:
        """The model's answer to ``prompt``."""
        ...

    async def check(self) -> None:
        """Return when the provider answers a cheap call (listing models); raise otherwise."""
        ...
