"""``lakehouse-appkit create``: generate a complete governed app project from a template.

The project holds app code wired through the toolkit (``<package>/main.py``
installs ``<package>/governance.py`` on the governed app), ``app.yaml``, a
``databricks.yml`` bundle, requirements, a README, example settings and tests
on the in-memory backend that pass as generated. The generated ``app.yaml``
and bundle are validated before anything is written.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import typer

from appkit_web import __version__
from appkit_web.bundle import ConfigProblem, validate_app_yaml, validate_bundle
from appkit_web.bundle.app_yaml import parse_yaml
from appkit_web.bundle.bundle import APP_NAME
from appkit_web.cli.app import app
from appkit_web.cli.init import PROFILES, render_example
from appkit_web.cli.output import ExitCode, fail, note

_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")
_RENAMED = {"gitignore": ".gitignore"}


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    description: str


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "governed-api",
            "Governed API",
            "Maker-checker approvals, metric overrides, DQ exceptions and write-back behind one API",
        ),
        Template(
            "dq-exceptions",
            "DQ Exceptions",
            "Data-quality exceptions with owners, SLAs by severity and approved waivers",
        ),
        Template(
            "risk-overrides",
            "Risk Overrides",
            "Risk metric overrides with one approval, two for material moves",
        ),
        Template(
            "write-back",
            "Governed Write-back",
            "Approved changes to allowed Unity Catalog table columns, applied with a before-image check",
        ),
    )
}


def check_name(name: str) -> str:
    """The Python package name for project ``name``; exits 2 when ``name`` is unusable."""
    if not APP_NAME.match(name) or not name[0].isalpha():
        fail(
            f"create: {name!r} is not a valid app name: 2-30 lowercase letters, digits and "
            "hyphens, starting with a letter and ending with a letter or digit",
            ExitCode.USAGE,
        )
    package = name.replace("-", "_")
    if keyword.iskeyword(package) or package in {"tests", "appkit_web", "appkit_domain"}:
        fail(f"create: {name!r} cannot be used as a Python package name", ExitCode.USAGE)
    return package


def _walk(folder: Traversable, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    found: list[tuple[tuple[str, ...], str]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            found.extend(_walk(entry, (*prefix, entry.name)))
        else:
            found.append(((*prefix, entry.name), entry.read_text(encoding="utf-8")))
    return found


def render(text: str, values: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"template placeholder {{{{{key}}}}} has no value")
        return values[key]

    return _PLACEHOLDER.sub(substitute, text)


def project_files(template: Template, name: str, package: str) -> dict[str, str]:
    """Relative path -> content of every file of the project (common files, then the template's)."""
    values = {
        "app_name": name,
        "package": package,
        "resource_key": package,
        "title": template.title,
        "description": template.description,
        "template": template.name,
        "version": __version__.split("+")[0],
    }
    root = resources.files("appkit_web.templates")
    files: dict[str, str] = {}
    for folder in ("common", template.name):
        for parts, text in _walk(root.joinpath(folder)):
            renamed = [package if part == "PKG" else part for part in parts]
            last = renamed[-1].removesuffix(".tmpl")
            renamed[-1] = _RENAMED.get(last, last)
            files["/".join(renamed)] = render(text, values)
    for profile in PROFILES:
        files[f"config/.env.{profile}.example"] = render_example(profile)
    return files


def check_generated(files: dict[str, str]) -> None:
    """The generated ``app.yaml`` and bundle must pass the same checks ``deploy`` runs."""
    validate_app_yaml(parse_yaml(files["app.yaml"], "app.yaml"))
    validate_bundle(
        parse_yaml(files["databricks.yml"], "databricks.yml"),
        variables={"warehouse_id": "0000000000000000"},
    )


@app.command("create")
def create_command(
    name: str = typer.Argument(..., help="Project and app name, e.g. risk-overrides-app."),
    template: str = typer.Option(
        "governed-api",
        "--template",
        "-t",
        help="One of: " + ", ".join(TEMPLATES) + ".",
    ),
    directory: Path | None = typer.Option(
        None, "--dir", help="Where to create the project (default: ./NAME); must be empty."
    ),
) -> None:
    """Generate a complete governed app project: code, app.yaml, databricks.yml, README, tests.

    Refuses to write into a folder that is not empty.

    Example: lakehouse-appkit create risk-app --template risk-overrides
    """
    chosen = TEMPLATES.get(template)
    if chosen is None:
        fail(
            f"create: unknown template {template!r} (choose from {', '.join(TEMPLATES)})",
            ExitCode.USAGE,
        )
    package = check_name(name)
    target = directory if directory is not None else Path(name)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        fail(f"create: {target} exists and is not an empty folder", ExitCode.USAGE)
    files = project_files(chosen, name, package)
    try:
        check_generated(files)
    except ConfigProblem as problem:  # a broken template is a bug in this package
        raise RuntimeError(
            f"template {chosen.name} generates an invalid project: {problem}"
        ) from None
    for relative, content in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    note(f"created {chosen.name} project {name} in {target} ({len(files)} files)")
    note(
        f"next: cd {target} && pytest && lakehouse-appkit deploy --dry-run --var warehouse_id=<id>"
    )
