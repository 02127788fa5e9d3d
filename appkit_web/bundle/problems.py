"""The one error type of project validation."""

from __future__ import annotations

from appkit_domain.errors import InvalidInput


class ConfigProblem(InvalidInput):
    """A project file is invalid; ``source`` names the file and ``field`` the offending field.

    The message is one line: ``<source>: <field>: <what is wrong>``.
    """

    code = "invalid_project_config"

    def __init__(self, source: str, field: str, problem: str) -> None:
        self.source = source
        self.field = field
        self.problem = problem
        where = f"{source}: {field}" if field else source
        super().__init__(f"{where}: {problem}")


def field_path(parts: tuple[object, ...] | list[object]) -> str:
    """``("resources", "apps", "x", "resources", 0, "name")`` -> ``resources.apps.x.resources[0].name``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
