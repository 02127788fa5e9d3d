"""The platform adapters of the ``databricks`` backend, as the app or as one user.

Both views share the workspace's pooled session and resilience pipeline;
a user view carries only that user's token. Adapters are built on first use.
"""

from __future__ import annotations

from functools import cached_property

from appkit_adapters.databricks.connections import UcConnections
from appkit_adapters.databricks.dashboards import Dashboards
from appkit_adapters.databricks.genie import GenieSpaces
from appkit_adapters.databricks.http import DatabricksHttp
from appkit_adapters.databricks.jobs import DatabricksJobs
from appkit_adapters.databricks.mlflow import MlflowTracking
from appkit_adapters.databricks.notebooks import Notebooks
from appkit_adapters.databricks.secrets import DatabricksSecrets
from appkit_adapters.databricks.serving import ServingEndpoints
from appkit_adapters.databricks.vector_search import VectorSearch
from appkit_adapters.databricks.workspace import DatabricksWorkspace
from appkit_web.platform.gate import PlatformServices


class WorkspaceClients:
    """Every platform adapter over one identity's ``http``."""

    def __init__(self, http: DatabricksHttp) -> None:
        self.http = http

    @cached_property
    def jobs(self) -> DatabricksJobs:
        return DatabricksJobs(self.http)

    @cached_property
    def secrets(self) -> DatabricksSecrets:
        return DatabricksSecrets(self.http)

    @cached_property
    def serving(self) -> ServingEndpoints:
        return ServingEndpoints(self.http)

    @cached_property
    def vector(self) -> VectorSearch:
        return VectorSearch(self.http)

    @cached_property
    def genie(self) -> GenieSpaces:
        return GenieSpaces(self.http)

    @cached_property
    def connections(self) -> UcConnections:
        return UcConnections(self.http)

    @cached_property
    def notebooks(self) -> Notebooks:
        return Notebooks(self.http)

    @cached_property
    def dashboards(self) -> Dashboards:
        return Dashboards(self.http)

    @cached_property
    def mlflow(self) -> MlflowTracking:
        return MlflowTracking(self.http)


class DatabricksPlatform(PlatformServices):
    def __init__(self, workspace: DatabricksWorkspace) -> None:
        self.workspace = workspace
        self._service = WorkspaceClients(workspace.http)

    def as_service(self) -> WorkspaceClients:
        return self._service

    def as_user(self, token: str) -> WorkspaceClients:
        return WorkspaceClients(self.workspace.http.for_user(token))
