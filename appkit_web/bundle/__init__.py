"""Local validation of a Databricks App project: ``app.yaml`` and the ``databricks.yml`` bundle.

Every rejection is a :class:`ConfigProblem` whose message names the file and the
field (``app.yaml: env[1].valueFrom: ...``) so a person can fix it without
guessing.
"""

from appkit_web.bundle.app_yaml import AppSpec, EnvEntry, load_app_yaml, validate_app_yaml
from appkit_web.bundle.bundle import (
    AppResourceSpec,
    BundleApp,
    BundleSpec,
    load_bundle,
    validate_bundle,
)
from appkit_web.bundle.problems import ConfigProblem
from appkit_web.bundle.project import ProjectSpec, load_project

__all__ = [
    "AppResourceSpec",
    "AppSpec",
    "BundleApp",
    "BundleSpec",
    "ConfigProblem",
    "EnvEntry",
    "ProjectSpec",
    "load_app_yaml",
    "load_bundle",
    "load_project",
    "validate_app_yaml",
    "validate_bundle",
]
