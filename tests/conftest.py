"""Shared test configuration: hypothesis profiles sized for CI."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# The platform routes' shared world: a governed app on the databricks backend per module.
pytest_plugins = ["tests.platform_world"]

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
