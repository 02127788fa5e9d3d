"""A generated project's own components: its routers and workflows, and their registries.

``<package>/routers/__init__.py`` lists every router module of the folder
(``ROUTERS``) and ``<package>/workflows/__init__.py`` every workflow module
(``WORKFLOWS``); ``main.assemble`` includes them. Both registries are written
from the modules present, by ``create`` and again by ``add``, formatted as
ruff formats them (so a project stays lint-clean).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

LINE = 100
COMPONENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
"""A component's module name (at most 24 characters keeps generated lines short)."""


@dataclass(frozen=True)
class Registry:
    folder: str
    variable: str
    element_type: str
    type_import: str
    doc: str
    expression: str  # how one module's entry is written: {name} is the module


ROUTERS = Registry(
    folder="routers",
    variable="ROUTERS",
    element_type="APIRouter",
    type_import="from fastapi import APIRouter",
    doc='"""This app\'s own routers, included by ``main.assemble``.\n\n'
    "Kept by ``lakehouse-appkit add router NAME``: one module per router, each with a\n"
    '``router``; this list is written from the modules in this folder."""',
    expression="{name}.router",
)
WORKFLOWS = Registry(
    folder="workflows",
    variable="WORKFLOWS",
    element_type="ModuleType",
    type_import="from types import ModuleType",
    doc='"""This app\'s own approval workflows, installed by ``main.assemble``.\n\n'
    "Kept by ``lakehouse-appkit add workflow NAME``: each module has ``KIND``, ``policy()``,\n"
    '``apply`` and a ``router``; this list is written from the modules in this folder."""',
    expression="{name}",
)


def _import(package: str, folder: str, names: list[str]) -> str:
    line = f"from {package}.{folder} import {', '.join(names)}"
    if len(line) <= LINE:
        return line
    inner = "".join(f"    {name},\n" for name in names)
    return f"from {package}.{folder} import (\n{inner})"


def _assignment(registry: Registry, entries: list[str]) -> str:
    head = f"{registry.variable}: list[{registry.element_type}] = "
    line = head + "[" + ", ".join(entries) + "]"
    if len(line) <= LINE:
        return line
    inner = "".join(f"    {entry},\n" for entry in entries)
    return head + "[\n" + inner + "]"


def registry_module(registry: Registry, package: str, names: Iterable[str]) -> str:
    """The registry's source for the component modules ``names``."""
    chosen = sorted(set(names))
    parts = [registry.doc, "", registry.type_import, ""]
    if chosen:
        parts += [_import(package, registry.folder, chosen), ""]
    parts += [_assignment(registry, [registry.expression.format(name=n) for n in chosen]), ""]
    return "\n".join(parts)


def component_names(paths: Iterable[str], package: str, registry: Registry) -> list[str]:
    """The module names of ``package/<folder>/<name>.py`` among ``paths`` (relative, ``/``)."""
    prefix = f"{package}/{registry.folder}/"
    found = []
    for path in paths:
        if path.startswith(prefix) and path.endswith(".py"):
            name = path[len(prefix) : -len(".py")]
            if "/" not in name and name != "__init__":
                found.append(name)
    return sorted(found)


def registries(paths: Iterable[str], package: str) -> dict[str, str]:
    """Relative path -> source of both registries for a project holding ``paths``."""
    listed = list(paths)
    return {
        f"{package}/{registry.folder}/__init__.py": registry_module(
            registry, package, component_names(listed, package, registry)
        )
        for registry in (ROUTERS, WORKFLOWS)
    }
