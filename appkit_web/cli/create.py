"""``lakehouse-appkit create``: generate a complete governed app project from a template.

The project holds app code wired through the toolkit (``<package>/main.py``
installs ``<package>/governance.py`` on the governed app), ``app.yaml``, a
``databricks.yml`` bundle, requirements, a README, example settings and tests
that pass as generated. The generated ``app.yaml`` and bundle are validated
before anything is written.

The project installs the toolkit from a wheel ``create`` writes into
``vendor/`` (:mod:`appkit_web.cli.toolkit_wheel`), with every dependency
pinned exactly, so ``pip install -r requirements-dev.txt`` works on a fresh
machine; ``--toolkit-spec`` names another source instead (an index version
once published, or a VCS URL).
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
from appkit_web.cli.components import registries
from appkit_web.cli.init import PROFILES, render_example
from appkit_web.cli.output import ExitCode, fail, note, reported

_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")
_RENAMED = {"gitignore": ".gitignore"}


@dataclass(frozen=True)
class Template:
    """``layers`` are the template folders copied over ``common/``, in order (later ones win)."""

    name: str
    title: str
    description: str
    layers: tuple[str, ...] = ()
    console: bool = True
    home: str | None = None

    @property
    def folders(self) -> tuple[str, ...]:
        return ("common", *(self.layers or (self.name,)))


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
        Template(
            "api",
            "Governed API",
            "The governed HTTP API alone (no console): approvals, overrides, DQ exceptions, write-back",
            layers=("governed-api", "api"),
            console=False,
        ),
        Template(
            "admin",
            "Governance Admin",
            "A console-first app: business users propose, approve and audit in the browser",
            layers=("governed-api", "admin"),
            home="/console",
        ),
        Template(
            "analytics",
            "Governed Analytics",
            "A read-only explorer of Unity Catalog and SQL, every query run as the signed-in user",
            console=False,
        ),
        Template(
            "dashboard",
            "Annotated Dashboard",
            "A published Lakeview dashboard next to annotations that a checker approves",
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


def toolkit_version() -> str:
    return __version__.split("+")[0]


def requirement_lines(toolkit: str) -> tuple[str, str]:
    """The runtime and dev requirement lines: the toolkit, then exact pins of what it needs."""
    from appkit_web.cli.toolkit_wheel import installed_pin, pinned_dependencies

    runtime = "\n".join([toolkit, *pinned_dependencies()])
    dev = "\n".join(
        installed_pin(name, fallback)
        for name, fallback in (
            ("pytest", "8.3.5"),
            ("pytest-asyncio", "0.26.0"),
            ("httpx", "0.28.1"),
        )
    )
    return runtime, dev


def project_files(
    template: Template, name: str, package: str, toolkit: str | None = None
) -> dict[str, str]:
    """Relative path -> content of every file of the project (common files, then the template's).

    ``toolkit`` is the requirement line that installs the toolkit (default:
    the wheel ``create`` writes into ``vendor/``).
    """
    from appkit_web.cli.toolkit_wheel import VENDOR, wheel_name

    version = toolkit_version()
    chosen = toolkit or f"./{VENDOR}/{wheel_name(version)}"
    runtime, dev = requirement_lines(chosen)
    values = {
        "app_name": name,
        "package": package,
        "resource_key": package,
        "title": template.title,
        "description": template.description,
        "template": template.name,
        "version": version,
        "console": str(template.console),
        "home": f'"{template.home}"' if template.home else "None",
        "toolkit_requirement": chosen,
        "runtime_requirements": runtime,
        "dev_requirements": dev,
        "wheel": wheel_name(version),
    }
    root = resources.files("appkit_web.templates")
    files: dict[str, str] = {}
    for folder in template.folders:
        for parts, text in _walk(root.joinpath(folder)):
            renamed = [package if part == "PKG" else part for part in parts]
            last = renamed[-1].removesuffix(".tmpl")
            renamed[-1] = _RENAMED.get(last, last)
            files["/".join(renamed)] = render(text, values)
    for profile in PROFILES:
        files[f"config/.env.{profile}.example"] = render_example(profile)
    files.update(registries(files, package))
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
    toolkit_spec: str | None = typer.Option(
        None,
        "--toolkit-spec",
        help="Requirement that installs lakehouse-appkit (e.g. lakehouse-appkit==0.1.0 or a "
        "git+https URL); default: a wheel of this toolkit written into vendor/.",
    ),
) -> None:
    """Generate a complete governed app project: code, app.yaml, databricks.yml, README, tests.

    Refuses to write into a folder that is not empty. Templates: governed-api,
    dq-exceptions, risk-overrides, write-back, api (no console), admin
    (console-first), analytics (read-only SQL/UC explorer) and dashboard
    (a Lakeview dashboard with approved annotations).

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
    files = project_files(chosen, name, package, toolkit_spec)
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
    if toolkit_spec is None:
        from appkit_web.cli.toolkit_wheel import write_wheel

        with reported("create: write the toolkit's wheel"):
            written = write_wheel(target, toolkit_version())
        note(f"wrote {written.relative_to(target)} (requirements.txt installs it)")
    note(f"created {chosen.name} project {name} in {target} ({len(files)} files)")
    note(
        f"next: cd {target} && python3 -m venv .venv && .venv/bin/pip install -r "
        "requirements-dev.txt && .venv/bin/pytest && .venv/bin/lakehouse-appkit run"
    )
