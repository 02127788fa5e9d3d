"""Warehouses for the remote backends, or a skip that says what is missing."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from appkit_adapters.sql.warehouse import SqlWarehouse


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


@asynccontextmanager
async def emulated_warehouse(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[SqlWarehouse, str]]:
    """The Statement Execution client talking to the emulated workspace."""
    if not _module_exists("appkit_adapters.databricks.statements"):
        pytest.skip(
            "the Statement Execution client (appkit_adapters.databricks.statements) "
            "does not exist yet"
        )
    if "fake_workspace" not in request.fixturenames and not _module_exists(
        "appkit_testing.workspace.server"
    ):
        pytest.skip("the emulated workspace is not available")
    pytest.skip("the emulated-workspace backend is not wired into these tests yet")
    yield  # pragma: no cover


@asynccontextmanager
async def real_warehouse() -> AsyncIterator[tuple[SqlWarehouse, str]]:
    """A real SQL warehouse, when the environment names one."""
    host = os.environ.get("DATABRICKS_HOST")
    has_auth = bool(os.environ.get("DATABRICKS_TOKEN")) or bool(
        os.environ.get("DATABRICKS_CLIENT_ID") and os.environ.get("DATABRICKS_CLIENT_SECRET")
    )
    warehouse_id = os.environ.get("DATABRICKS_WAREHOUSE_ID")
    if not (host and has_auth and warehouse_id):
        pytest.skip(
            "real workspace not configured: set DATABRICKS_HOST, DATABRICKS_TOKEN (or "
            "DATABRICKS_CLIENT_ID/SECRET) and DATABRICKS_WAREHOUSE_ID"
        )
    pytest.skip("the Statement Execution client does not exist yet")
    yield  # pragma: no cover
