"""Every command's --help says what it does and gives an example."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main

from appkit_web.cli import app


def _walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path below ``command``, asking groups by name (commands load lazily)."""
    found = [path]
    if hasattr(command, "list_commands"):
        context = command.context_class(command)
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            assert sub is not None, name
            found.extend(_walk(sub, (*path, name)))
    return found


MINE = ("init", "create", "deploy", "uc", "sql", "secrets", "jobs", "oauth")
ROOT = typer.main.get_command(app)
ALL_PATHS = [p for p in _walk(ROOT) if p]
MY_PATHS = [p for p in ALL_PATHS if p[0] in MINE]


def test_every_command_of_this_cli_is_walked() -> None:
    assert {p[0] for p in MY_PATHS} == set(MINE)
    assert ("deploy", "list-apps") in MY_PATHS and ("secrets", "put-secret") in MY_PATHS


@pytest.mark.parametrize("path", MY_PATHS, ids=lambda p: " ".join(p))
def test_help_has_a_description_and_an_example(cli, path: tuple[str, ...]) -> None:
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Example:" in text, text
    assert "lakehouse-appkit " in text.split("Example:", 1)[1].split("─")[0], text
    usage_end = text.index("Usage:") + len("Usage:")
    description = text[usage_end:].split("Example:")[0]
    assert len(description.split()) >= 5, text


def test_root_help_documents_the_exit_codes(cli) -> None:
    text = " ".join(cli("--help").stdout.split())
    assert "Exit codes: 0 ok, 1 failure, 2 usage" in text
