"""Backends the SQL stores run on: the local engine; the emulated workspace (the plugin's
``fake_workspace``) through the Statement Execution client; a real workspace when configured.

``governance`` yields a :class:`Governance` whose tables were just created in a
fresh schema. The real-workspace variant needs ``DATABRICKS_HOST``, a token (or
client id and secret) and ``DATABRICKS_WAREHOUSE_ID``; it drops the schemas it
created only when ``APPKIT_TEST_ALLOW_DESTRUCTIVE=1``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from appkit_adapters.sql.schema import GovernanceSchema, init_schema
from appkit_adapters.sql.warehouse import SqlWarehouse
from tests.sql_stores.backends import emulated_warehouse, real_warehouse

CATALOG = "contract"


@dataclass
class Governance:
    warehouse: SqlWarehouse
    location: GovernanceSchema
    backend: str


BACKENDS = ["local", "emulated", "databricks"]


@pytest.fixture(params=BACKENDS)
async def governance(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Governance]:
    backend = request.param
    schema = f"t_{uuid.uuid4().hex[:10]}"
    if backend == "local":
        from appkit_adapters.local.engine import LocalEngine

        engine = LocalEngine(tmp_path / "lake")
        local: SqlWarehouse = engine.warehouse("sp-app@local")
        await init_schema(local, CATALOG, schema, create_catalog=True)
        yield Governance(local, GovernanceSchema(CATALOG, schema), backend)
        engine.close()
        return
    if backend == "emulated":
        emulator = request.getfixturevalue("fake_workspace")
        async with emulated_warehouse(emulator) as (warehouse, catalog):
            await init_schema(warehouse, catalog, schema, create_catalog=True)
            yield Governance(warehouse, GovernanceSchema(catalog, schema), backend)
        return
    async with real_warehouse() as (warehouse, catalog):
        location = GovernanceSchema(catalog, schema)
        await init_schema(warehouse, catalog, schema)
        try:
            yield Governance(warehouse, location, backend)
        finally:
            if os.environ.get("APPKIT_TEST_ALLOW_DESTRUCTIVE") == "1":
                await warehouse.execute(f"DROP SCHEMA IF EXISTS {location.quoted} CASCADE")


@pytest.fixture(params=["atomic", "step-by-step"])
def atomic(request: pytest.FixtureRequest) -> bool:
    """Both commit paths: one ``BEGIN ATOMIC`` block per batch, and the fallback."""
    return bool(request.param == "atomic")


def governance_store(governance: Governance, *, atomic: bool) -> Any:
    """The SQL governance store over ``governance``'s tables."""
    from appkit_adapters.sql.governance.store import SqlGovernanceStore
    from appkit_adapters.sql.stores.governed_table import SqlGovernedTable

    return SqlGovernanceStore(
        governance.warehouse,
        governance.location,
        SqlGovernedTable(governance.warehouse),
        atomic=atomic,
        cache_seconds=0,
    )
