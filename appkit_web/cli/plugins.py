"""Command groups contributed by other packages through entry points.

An entry point in the group ``lakehouse_appkit.commands`` names a
``typer.Typer`` whose entry point name becomes the command group, e.g.
``workspace = "appkit_testing.workspace_cli:workspace_app"``. A plugin is
imported only when its command is used (or help lists every command).
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Any

import typer

GROUP = "lakehouse_appkit.commands"


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def plugin_names() -> list[str]:
    return sorted(_entry_points())


def plugin_command(name: str) -> Any:
    """The click command of plugin ``name``, or None when no plugin has that name.

    A broken plugin fails loudly, naming itself.
    """
    ep = _entry_points().get(name)
    if ep is None:
        return None
    try:
        group = ep.load()
    except Exception as exc:  # an installed plugin that cannot load is a setup error
        raise RuntimeError(f"command plugin {ep.name!r} ({ep.value}) failed to load") from exc
    if not isinstance(group, typer.Typer):
        raise RuntimeError(f"command plugin {ep.name!r} ({ep.value}) is not a typer.Typer")
    command = typer.main.get_group(group)
    command.name = ep.name
    return command
