"""What the third-party providers share: importing their optional SDK, and calling it so
that whatever it raises leaves as the domain error tree with the key redacted."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

from appkit_adapters.ai.errors import provider_error
from appkit_adapters.ai.port import AiProvider
from appkit_domain.errors import Unavailable


def import_sdk(module: str, extra: str) -> ModuleType:
    """The SDK module; ``Unavailable`` naming the extra to install when it is missing."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise Unavailable(
            f"the {module} package is not installed: pip install 'lakehouse-appkit[{extra}]'"
        ) from None


class SdkProvider(AiProvider):
    """A provider reached through its official SDK with an API key."""

    name = ""

    def __init__(self, api_key: str, model: str) -> None:
        self.model = model
        self._key = api_key

    async def _call(self, request: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return await request()
        except Exception as exc:
            raise provider_error(self.name, exc, [self._key]) from None
