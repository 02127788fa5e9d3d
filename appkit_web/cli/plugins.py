"""Command groups contributed by other packages through entry points.

An entry point in the group ``lakehouse_appkit.commands`` names a
``typer.Typer`` whose ``name`` becomes the command group, e.g.
``workspace = "appkit_testing.workspace_cli:workspace_app"``.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import typer

GROUP = "lakehouse_appkit.commands"


def add_plugin_commands(root: typer.Typer) -> None:
    """Add every installed command group; a broken plugin fails loudly, naming itself."""
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            group = ep.load()
        except Exception as exc:  # an installed plugin that cannot load is a setup error
            raise RuntimeError(f"command plugin {ep.name!r} ({ep.value}) failed to load") from exc
        if not isinstance(group, typer.Typer):
            raise RuntimeError(f"command plugin {ep.name!r} ({ep.value}) is not a typer.Typer")
        root.add_typer(group, name=ep.name)
