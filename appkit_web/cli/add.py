"""``lakehouse-appkit add``: add a router, a workflow or the console to a generated project.

Run in the project's folder (the one with ``app.yaml``). Each component comes
with a test that passes as written; the routers and workflows registries are
written again from the modules present (:mod:`appkit_web.cli.components`).
Nothing existing is overwritten.
"""

from __future__ import annotations

import keyword
import re
from importlib import resources
from pathlib import Path

import typer

from appkit_domain.errors import InvalidInput
from appkit_web.cli.app import app
from appkit_web.cli.components import (
    COMPONENT_NAME,
    ROUTERS,
    WORKFLOWS,
    Registry,
    component_names,
    registry_module,
)
from appkit_web.cli.output import ExitCode, fail, note

add_app = typer.Typer(
    help="Add a component to this project: a router, a workflow or the console.\n\n"
    "Example: lakehouse-appkit add router reports",
    no_args_is_help=True,
)
app.add_typer(add_app, name="add")

RESERVED = {"annotations", "main", "governance", "routers", "workflows", "tests", "test"}
_CONSOLE_OFF = re.compile(r"^CONSOLE = False$", re.MULTILINE)


def project_package(folder: Path) -> str:
    """The package of the project in ``folder``: the one its ``app.yaml`` serves."""
    from appkit_web.cli.app_target import SAMPLE_APP, choose_target

    try:
        target = choose_target(None, folder)
    except InvalidInput as exc:
        fail(f"add: {exc}", ExitCode.USAGE)
    if target.spec == SAMPLE_APP:
        fail(
            "add: no app.yaml here: run it in a project made by `lakehouse-appkit create`",
            ExitCode.USAGE,
        )
    package = target.spec.split(":", 1)[0].split(".", 1)[0]
    if not (folder / package / "__init__.py").is_file():
        fail(f"add: app.yaml serves {target.spec}, but {package}/ is not here", ExitCode.USAGE)
    return package


def _component(kind: str, name: str) -> str:
    if not COMPONENT_NAME.match(name) or keyword.iskeyword(name) or name in RESERVED:
        fail(
            f"add {kind}: {name!r} is not a usable name: lowercase letters, digits and "
            "underscores, starting with a letter (not a Python keyword)",
            ExitCode.USAGE,
        )
    return name


def _render(template: str, values: dict[str, str]) -> str:
    from appkit_web.cli.create import render

    text = (
        resources.files("appkit_web.templates")
        .joinpath("components")
        .joinpath(template)
        .read_text()
    )
    return render(text, values)


def _write_new(folder: Path, files: dict[str, str]) -> None:
    taken = [path for path in files if (folder / path).exists()]
    if taken:
        fail(f"add: {taken[0]} exists already; nothing was changed", ExitCode.FAILURE)
    for path, text in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        note(f"wrote {path}")


def _rewrite_registry(folder: Path, package: str, registry: Registry) -> None:
    paths = [
        f"{package}/{registry.folder}/{p.name}"
        for p in (folder / package / registry.folder).glob("*.py")
    ]
    names = component_names(paths, package, registry)
    path = folder / package / registry.folder / "__init__.py"
    path.write_text(registry_module(registry, package, names), encoding="utf-8")
    note(f"wrote {path.relative_to(folder)} ({', '.join(names)})")


def _add(kind: str, name: str, registry: Registry, module: str, test: str) -> None:
    folder = Path.cwd()
    package = project_package(folder)
    chosen = _component(kind, name)
    values = {"name": chosen, "package": package}
    _write_new(
        folder,
        {
            f"{package}/{registry.folder}/{chosen}.py": _render(module, values),
            f"tests/test_{chosen}_{kind}.py": _render(test, values),
        },
    )
    _rewrite_registry(folder, package, registry)


@add_app.command("router")
def add_router(name: str = typer.Argument(..., help="Module name, e.g. reports.")) -> None:
    """Add a router at /api/NAME (a module with a signed-in route) and its test.

    Example: lakehouse-appkit add router reports
    """
    _add("router", name, ROUTERS, "router.py.tmpl", "test_router.py.tmpl")


@add_app.command("workflow")
def add_workflow(
    name: str = typer.Argument(..., help="Module and request kind, e.g. budget."),
) -> None:
    """Add an approval workflow: its policy, its applier, a propose route and a test.

    Example: lakehouse-appkit add workflow budget_change
    """
    _add("workflow", name, WORKFLOWS, "workflow.py.tmpl", "test_workflow.py.tmpl")


@add_app.command("console")
def add_console() -> None:
    """Turn on the governance console at /console (CONSOLE in main.py) and add its test.

    Example: lakehouse-appkit add console
    """
    folder = Path.cwd()
    package = project_package(folder)
    main = folder / package / "main.py"
    text = main.read_text(encoding="utf-8")
    if not _CONSOLE_OFF.search(text):
        if re.search(r"^CONSOLE = True$", text, re.MULTILINE):
            note("the console is on already (CONSOLE = True in main.py)")
            return
        fail(f"add console: {main.name} has no `CONSOLE = False` line to turn on", ExitCode.FAILURE)
    test = "tests/test_console.py"
    if not (folder / test).exists():
        _write_new(folder, {test: _render("test_console.py.tmpl", {"package": package})})
    main.write_text(_CONSOLE_OFF.sub("CONSOLE = True", text), encoding="utf-8")
    note(f"turned the console on in {package}/main.py: it is served at /console")
