"""Warehouses for the remote backends, or a skip that says what is missing."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from appkit_adapters.sql.warehouse import SqlWarehouse

EMULATED_CATALOG = "contract"


@asynccontextmanager
async def emulated_warehouse(
    emulator: Any, *, deadline: float | None = None
) -> AsyncIterator[tuple[SqlWarehouse, str]]:
    """The Statement Execution client talking to the emulated workspace as its admin.

    ``deadline`` bounds each statement (a short one turns a statement stuck in
    PENDING into a quick, retryable failure)."""
    from appkit_adapters.databricks.credentials import BearerToken
    from appkit_adapters.databricks.http import DatabricksHttp
    from appkit_adapters.databricks.statements import StatementExecutionWarehouse
    from appkit_adapters.resilience.policy import ResiliencePolicy

    http = DatabricksHttp(
        emulator.host,
        BearerToken(emulator.admin_token),
        policy=ResiliencePolicy.for_profile("test"),
    )
    async with http:
        yield (
            StatementExecutionWarehouse(
                http, emulator.warehouse_id, poll_initial=0.01, poll_max=0.2, deadline=deadline
            ),
            EMULATED_CATALOG,
        )


@asynccontextmanager
async def real_warehouse() -> AsyncIterator[tuple[SqlWarehouse, str]]:
    """A real SQL warehouse, when the environment names one (catalog: ``APPKIT_TEST_CATALOG``)."""
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
    from databricks.sdk.core import Config

    from appkit_adapters.databricks.http import DatabricksHttp
    from appkit_adapters.databricks.statements import StatementExecutionWarehouse

    http = DatabricksHttp.from_config(Config())
    async with http:
        yield (
            StatementExecutionWarehouse(http, warehouse_id),
            os.environ.get("APPKIT_TEST_CATALOG", "main"),
        )
