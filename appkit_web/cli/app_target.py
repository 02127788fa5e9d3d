"""Which ASGI app ``run`` serves: ``--app module:attr``, the project's ``app.yaml``, or the sample.

A project made by ``create`` says in ``app.yaml`` how Databricks Apps starts it
(``uvicorn pkg.main:build_app --factory`` or ``lakehouse-appkit run --app
pkg.main:build_app``); ``run`` inside that folder serves the same app. The
target is imported from the working directory; an attribute that is an app
is served as is, one that is a factory (no required arguments) is called.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appkit_domain.errors import InvalidInput

SAMPLE_APP = "appkit_web.cli.run:sample_app"
_SPEC = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


@dataclass(frozen=True)
class AppTarget:
    """``spec`` is ``module:attr``; ``source`` says where it came from (for the start-up line)."""

    spec: str
    source: str


def check_spec(spec: str) -> str:
    if not _SPEC.match(spec):
        raise InvalidInput(f"--app {spec!r} must be module:attribute, e.g. my_app.main:build_app")
    return spec


def target_in_command(command: list[str] | tuple[str, ...]) -> str | None:
    """The ``module:attr`` an ``app.yaml`` command serves (uvicorn's app or ``run --app``)."""
    arguments = list(command)
    for index, argument in enumerate(arguments):
        if argument == "--app" and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith("--app="):
            return argument.removeprefix("--app=")
    if any(Path(a).name == "uvicorn" or a == "uvicorn" for a in arguments):
        for argument in arguments:
            if _SPEC.match(argument):
                return argument
    return None


def choose_target(app_option: str | None, folder: Path) -> AppTarget:
    """``--app`` when given, else the app ``app.yaml`` in ``folder`` runs, else the sample app."""
    if app_option:
        return AppTarget(check_spec(app_option), "--app")
    from appkit_web.bundle.app_yaml import find_app_yaml

    app_yaml = find_app_yaml(folder)
    if app_yaml is not None:
        from appkit_web.bundle import ConfigProblem
        from appkit_web.bundle.app_yaml import load_app_yaml

        try:
            spec = load_app_yaml(app_yaml)
        except ConfigProblem as problem:
            raise InvalidInput(str(problem)) from None
        found = target_in_command(spec.command)
        if found is None:
            raise InvalidInput(
                f"{app_yaml}: its command names no module:attribute app to serve; "
                "pass --app module:attribute"
            )
        return AppTarget(check_spec(found), str(app_yaml))
    return AppTarget(SAMPLE_APP, "the sample governed app")


def load_asgi_app(spec: str, folder: Path | None = None) -> Any:
    """Import ``module:attr`` (with ``folder`` first on the path) and return the ASGI app.

    A factory (callable without required arguments, not itself an app) is called.
    """
    where = str(folder or Path.cwd())
    if where not in sys.path:
        sys.path.insert(0, where)
    module_name, _, attribute = check_spec(spec).partition(":")
    try:
        target: Any = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise InvalidInput(f"--app {spec}: cannot import {module_name} ({exc})") from None
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise InvalidInput(f"--app {spec}: {module_name} has no {attribute}") from None
    if _is_factory(target):
        target = target()
    return target


def _is_factory(target: Any) -> bool:
    from starlette.applications import Starlette

    if isinstance(target, Starlette) or not callable(target):
        return False
    try:
        parameters = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):
        return False
    required = [
        p
        for p in parameters
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    return not required
