"""Backends by name: container builders registered under the ``lakehouse_appkit.backends``
entry point group. A builder is ``(settings) -> GovernedAppContainer``. ``memory`` is
registered by ``appkit_testing`` (which the web layer never imports)."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points

from appkit_web.containers import GovernedAppContainer
from appkit_web.settings import Settings, SettingsError

GROUP = "lakehouse_appkit.backends"

ContainerBuilder = Callable[[Settings], GovernedAppContainer]


def available_backends() -> list[str]:
    return sorted(ep.name for ep in entry_points(group=GROUP))


def container_builder(name: str) -> ContainerBuilder:
    """The builder registered for backend ``name``; ``SettingsError`` if none is."""
    for ep in entry_points(group=GROUP):
        if ep.name == name:
            loaded = ep.load()
            if not callable(loaded):
                raise SettingsError(f"setting APPKIT_BACKEND: {ep.value} is not callable")
            return loaded  # type: ignore[no-any-return]
    names = ", ".join(available_backends()) or "none"
    raise SettingsError(
        f"setting APPKIT_BACKEND: backend {name!r} is not available here (installed: {names})"
    )


def container_for(settings: Settings) -> GovernedAppContainer:
    """A fresh container of the backend ``settings`` name (nothing is built yet)."""
    return container_builder(settings.effective_backend.value)(settings)
