"""A whole app project: the bundle, its app's source folder and ``app.yaml``, checked together.

Cross-file rules: the app's ``source_code_path`` is a folder inside the
project; that folder holds an ``app.yaml`` (unless the bundle's ``config``
gives the command); every ``valueFrom`` names one of the app's resources; no
file to upload exceeds the platform's 10 MB limit.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from appkit_web.bundle.app_yaml import AppSpec, find_app_yaml, load_app_yaml
from appkit_web.bundle.bundle import BundleApp, BundleSpec, load_bundle
from appkit_web.bundle.problems import ConfigProblem

MAX_FILE_BYTES = 10 * 1024 * 1024
EXCLUDED = (
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".databricks",
    ".appkit",
    "tests",
    "*.pyc",
    ".env*",
    "config/.env.*",
)
ALLOWED_ENV_EXAMPLES = ".example"


@dataclass(frozen=True)
class ProjectSpec:
    """A project that passed every local check, ready to upload and deploy."""

    root: Path
    bundle: BundleSpec
    app: BundleApp
    source_dir: Path
    app_yaml: AppSpec | None
    files: tuple[Path, ...]

    @property
    def effective_spec(self) -> AppSpec:
        """The command and env in force: the bundle's ``config`` wins over ``app.yaml``."""
        spec = self.app.config or self.app_yaml
        if spec is None:
            raise ConfigProblem("app.yaml", "(file)", "is missing and the bundle sets no config")
        return spec


def bundle_variables_from_env(environ: Mapping[str, str]) -> dict[str, str]:
    """``BUNDLE_VAR_<name>`` environment entries, as the Databricks CLI reads them."""
    prefix = "BUNDLE_VAR_"
    return {key[len(prefix) :]: value for key, value in environ.items() if key.startswith(prefix)}


def _excluded(relative: Path) -> bool:
    text = relative.as_posix()
    if text.endswith(ALLOWED_ENV_EXAMPLES):
        return False
    for part in relative.parts:
        if any(fnmatch.fnmatch(part, pattern) for pattern in EXCLUDED):
            return True
    return any(fnmatch.fnmatch(text, pattern) for pattern in EXCLUDED)


def source_files(source_dir: Path) -> Iterator[Path]:
    """Files to upload, relative to ``source_dir``, in a stable order."""
    for folder, dirs, names in os.walk(source_dir):
        base = Path(folder)
        dirs[:] = sorted(d for d in dirs if not _excluded((base / d).relative_to(source_dir)))
        for name in sorted(names):
            relative = (base / name).relative_to(source_dir)
            if not _excluded(relative):
                yield relative


def load_project(
    root: Path,
    *,
    target: str | None = None,
    variables: Mapping[str, str] | None = None,
    app_key: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ProjectSpec:
    """Validate the project at ``root``; raise :class:`ConfigProblem` naming the first bad field."""
    bundle_path = next(
        (root / n for n in ("databricks.yml", "databricks.yaml") if (root / n).is_file()), None
    )
    if bundle_path is None:
        raise ConfigProblem("databricks.yml", "(file)", f"not found in {root}")
    merged = {**bundle_variables_from_env(environ or {}), **(variables or {})}
    bundle = load_bundle(bundle_path, target=target, variables=merged)
    app = bundle.app(app_key)
    where = f"resources.apps.{app.key}.source_code_path"
    if not app.source_code_path:
        raise ConfigProblem(bundle_path.name, where, "is required to deploy from this project")
    source_dir = (root / app.source_code_path).resolve()
    if not source_dir.is_relative_to(root.resolve()):
        raise ConfigProblem(bundle_path.name, where, "must stay inside the project folder")
    if not source_dir.is_dir():
        raise ConfigProblem(bundle_path.name, where, f"{app.source_code_path!r} is not a folder")
    app_yaml_path = find_app_yaml(source_dir)
    app_yaml = load_app_yaml(app_yaml_path) if app_yaml_path else None
    if app_yaml is None and app.config is None:
        raise ConfigProblem("app.yaml", "(file)", f"not found in {source_dir}")
    spec = app.config or app_yaml
    assert spec is not None
    resource_keys = [resource.name for resource in app.resources]
    spec_source = "databricks.yml" if app.config else (app_yaml_path.name if app_yaml_path else "")
    env_field = f"resources.apps.{app.key}.config.env" if app.config else "env"
    for index, entry in enumerate(spec.env):
        if entry.value_from is not None and entry.value_from not in resource_keys:
            declared = ", ".join(resource_keys) or "none"
            raise ConfigProblem(
                spec_source,
                f"{env_field}[{index}].{'value_from' if app.config else 'valueFrom'}",
                f"{entry.value_from!r} is not a resource of app {app.name!r} (declared: {declared})",
            )
    files = tuple(source_files(source_dir))
    for relative in files:
        if (source_dir / relative).stat().st_size > MAX_FILE_BYTES:
            raise ConfigProblem(
                relative.as_posix(), "(file)", "exceeds the 10 MB limit of an app file"
            )
    return ProjectSpec(
        root=root,
        bundle=bundle,
        app=app,
        source_dir=source_dir,
        app_yaml=app_yaml,
        files=files,
    )
