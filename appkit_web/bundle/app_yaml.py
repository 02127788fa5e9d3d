"""``app.yaml``: the command a Databricks App runs and the environment it gets.

Rules checked (each rejection names the field):

* the document is a mapping with only ``command`` and ``env``;
* ``command`` is a non-empty list of non-empty strings (the platform does not
  run it through a shell, so a single string is refused);
* a ``--port`` argument, when present, is ``$DATABRICKS_APP_PORT`` (the only
  variable the platform substitutes into the command);
* ``env`` is a list of ``{name, value}`` or ``{name, valueFrom}`` entries with
  unique, shell-safe names and string values;
* a setting that holds a credential (its name mentions SECRET, TOKEN or
  PASSWORD) never carries a literal ``value``: it must use ``valueFrom``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from appkit_web.bundle.problems import ConfigProblem

PORT_VARIABLE = "DATABRICKS_APP_PORT"
_PORT_REFERENCES = {f"${PORT_VARIABLE}", f"${{{PORT_VARIABLE}}}"}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CREDENTIAL_WORDS = ("SECRET", "TOKEN", "PASSWORD")
_TOP_LEVEL = ("command", "env")


@dataclass(frozen=True)
class EnvEntry:
    """One environment entry: exactly one of ``value`` and ``value_from`` is set."""

    name: str
    value: str | None = None
    value_from: str | None = None


@dataclass(frozen=True)
class AppSpec:
    """A validated ``app.yaml``."""

    command: tuple[str, ...]
    env: tuple[EnvEntry, ...]

    @property
    def value_from_keys(self) -> tuple[str, ...]:
        return tuple(entry.value_from for entry in self.env if entry.value_from is not None)


def parse_yaml(text: str, source: str) -> object:
    """Parse YAML text, turning a syntax error into a :class:`ConfigProblem` with its line."""
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark is not None else "(document)"
        raise ConfigProblem(source, where, f"is not valid YAML ({exc.problem})") from None
    except yaml.YAMLError as exc:
        raise ConfigProblem(source, "(document)", f"is not valid YAML ({exc})") from None


def validate_command(command: object, source: str, field: str = "command") -> tuple[str, ...]:
    if isinstance(command, str):
        raise ConfigProblem(
            source, field, "must be a list of arguments (it is not run through a shell)"
        )
    if not isinstance(command, list) or not command:
        raise ConfigProblem(source, field, "must be a non-empty list of strings")
    for index, argument in enumerate(command):
        if not isinstance(argument, str) or not argument.strip():
            raise ConfigProblem(source, f"{field}[{index}]", "must be a non-empty string")
    for index, argument in enumerate(command[:-1]):
        if argument == "--port" and command[index + 1] not in _PORT_REFERENCES:
            raise ConfigProblem(
                source,
                f"{field}[{index + 1}]",
                f"the port must be ${PORT_VARIABLE} (got {command[index + 1]!r})",
            )
    for index, argument in enumerate(command):
        if argument.startswith("--port=") and argument.split("=", 1)[1] not in _PORT_REFERENCES:
            raise ConfigProblem(source, f"{field}[{index}]", f"the port must be ${PORT_VARIABLE}")
    return tuple(command)


def validate_env(
    env: object, source: str, field: str = "env", from_key: str = "valueFrom"
) -> tuple[EnvEntry, ...]:
    """Check env entries; ``from_key`` is ``valueFrom`` in app.yaml, ``value_from`` in a bundle."""
    if env is None:
        return ()
    if not isinstance(env, list):
        raise ConfigProblem(source, field, "must be a list of {name, value|valueFrom} entries")
    entries: list[EnvEntry] = []
    seen: set[str] = set()
    for index, item in enumerate(env):
        where = f"{field}[{index}]"
        if not isinstance(item, Mapping):
            raise ConfigProblem(source, where, "must be a mapping with name and value or valueFrom")
        unknown = sorted(set(item) - {"name", "value", from_key})
        if unknown:
            raise ConfigProblem(source, f"{where}.{unknown[0]}", "is not a known env field")
        name = item.get("name")
        if not isinstance(name, str) or not _ENV_NAME.match(name):
            raise ConfigProblem(
                source,
                f"{where}.name",
                "must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)",
            )
        if name in seen:
            raise ConfigProblem(source, f"{where}.name", f"{name} is set twice")
        seen.add(name)
        has_value, has_from = "value" in item, from_key in item
        if has_value == has_from:
            raise ConfigProblem(source, where, f"{name} needs exactly one of value or {from_key}")
        if has_from:
            reference = item[from_key]
            if not isinstance(reference, str) or not reference.strip():
                raise ConfigProblem(source, f"{where}.{from_key}", "must name an app resource key")
            entries.append(EnvEntry(name=name, value_from=reference))
            continue
        value = item["value"]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ConfigProblem(source, f"{where}.value", "must be a string (quote it)")
        if any(word in name.upper() for word in _CREDENTIAL_WORDS):
            raise ConfigProblem(
                source,
                f"{where}.value",
                f"{name} looks like a credential: use valueFrom with a secret resource, "
                "never a literal value",
            )
        entries.append(EnvEntry(name=name, value=str(value)))
    return tuple(entries)


def validate_app_yaml(document: object, source: str = "app.yaml") -> AppSpec:
    """Check a parsed ``app.yaml`` document; raise :class:`ConfigProblem` naming the bad field."""
    if not isinstance(document, Mapping):
        raise ConfigProblem(source, "(document)", "must be a mapping with command and env")
    for key in document:
        if key not in _TOP_LEVEL:
            raise ConfigProblem(source, str(key), "is not a known app.yaml field (command, env)")
    if "command" not in document:
        raise ConfigProblem(source, "command", "is required")
    return AppSpec(
        command=validate_command(document["command"], source),
        env=validate_env(document.get("env"), source),
    )


def find_app_yaml(folder: Path) -> Path | None:
    for name in ("app.yaml", "app.yml"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def load_app_yaml(path: Path) -> AppSpec:
    """Read and validate an ``app.yaml`` file."""
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigProblem(source, "(file)", f"cannot be read ({exc.strerror})") from None
    return validate_app_yaml(parse_yaml(text, source), source)
