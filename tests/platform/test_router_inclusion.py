"""An app includes the platform routers it wants: all by default, a subset, or none."""

from __future__ import annotations

from pathlib import Path

from appkit_testing.memory_app import memory_container
from appkit_web.app import create_app
from appkit_web.routers import jobs
from tests.web.conftest import make_settings


def _paths(tmp_path: Path, **kwargs: object) -> set[str]:
    app = create_app(memory_container(make_settings(tmp_path)), **kwargs)  # type: ignore[arg-type]
    return set(app.openapi()["paths"])


def test_platform_routers_are_included_by_default_and_can_be_left_out(tmp_path: Path):
    assert {"/api/jobs", "/api/secrets/scopes"} <= _paths(tmp_path)
    only_jobs = _paths(tmp_path, platform_routers=(jobs,))
    assert "/api/jobs" in only_jobs and "/api/secrets/scopes" not in only_jobs
    none = _paths(tmp_path, platform_routers=())
    assert not any(p.startswith(("/api/jobs", "/api/secrets")) for p in none)
    assert "/api/approvals" in none
