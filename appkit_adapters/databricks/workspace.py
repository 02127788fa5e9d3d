"""``DatabricksWorkspace``: the Databricks adapters for one workspace, built and closed together.

One pooled HTTP session and one resilience pipeline serve the app's own
identity (the service principal, or a PAT) and every on-behalf-of view made
with :meth:`DatabricksWorkspace.for_user`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from appkit_adapters.databricks.catalog import UnityCatalog
from appkit_adapters.databricks.credentials import (
    BearerToken,
    CredentialSource,
    SdkCredentials,
    service_principal_config,
)
from appkit_adapters.databricks.directory import ScimDirectory
from appkit_adapters.databricks.http import DatabricksHttp
from appkit_adapters.databricks.statements import StatementExecutionWarehouse
from appkit_adapters.resilience import ResiliencePipeline, ResiliencePolicy, Timer


@dataclass(frozen=True)
class UserView:
    """The adapters acting as one user (their token); share the workspace's session."""

    http: DatabricksHttp
    warehouse: StatementExecutionWarehouse
    catalog: UnityCatalog


class DatabricksWorkspace:
    """The app's identity on one workspace: HTTP core, SQL warehouse, Unity Catalog, directory.

    Call :meth:`start` once at start-up and :meth:`close` at shutdown.
    ``warehouse_options`` pass through to :class:`StatementExecutionWarehouse`.
    """

    def __init__(
        self,
        host: str,
        credentials: CredentialSource,
        warehouse_id: str,
        *,
        policy: ResiliencePolicy | None = None,
        timer: Timer | None = None,
        rng: random.Random | None = None,
        **warehouse_options: Any,
    ) -> None:
        chosen = policy or ResiliencePolicy.for_profile("prod")
        self.pipeline = ResiliencePipeline(chosen, name="databricks", timer=timer, rng=rng)
        self.http = DatabricksHttp(host, credentials, pipeline=self.pipeline)
        self.warehouse_id = warehouse_id
        self._warehouse_options = warehouse_options
        self.warehouse = StatementExecutionWarehouse(self.http, warehouse_id, **warehouse_options)
        self.catalog = UnityCatalog(self.http)
        self.directory = ScimDirectory(self.http)

    @classmethod
    def from_environment(
        cls, warehouse_id: str, *, host: str | None = None, **options: Any
    ) -> DatabricksWorkspace:
        """Credentials resolved by databricks-sdk (env vars, profile, the Apps runtime)."""
        config = service_principal_config(host)
        return cls(str(config.host), SdkCredentials(config), warehouse_id, **options)

    @classmethod
    def with_token(
        cls, host: str, token: str, warehouse_id: str, **options: Any
    ) -> DatabricksWorkspace:
        """A fixed bearer token (a PAT, or the emulated workspace's admin token)."""
        return cls(host, BearerToken(token), warehouse_id, **options)

    @property
    def breaker(self) -> Any:
        """The circuit breaker (for readiness reporting)."""
        return self.pipeline.breaker

    async def start(self) -> None:
        await self.http.start()

    async def close(self) -> None:
        await self.http.close()

    async def __aenter__(self) -> DatabricksWorkspace:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def for_user(self, token: str) -> UserView:
        """Adapters acting on behalf of the user whose access token this is."""
        http = self.http.for_user(token)
        return UserView(
            http=http,
            warehouse=StatementExecutionWarehouse(
                http, self.warehouse_id, **self._warehouse_options
            ),
            catalog=UnityCatalog(http),
        )
