"""Databricks transport adapters: aiohttp REST core, Statement Execution SQL, Unity Catalog, SCIM."""

from appkit_adapters.databricks.catalog import UnityCatalog
from appkit_adapters.databricks.credentials import (
    BearerToken,
    CredentialSource,
    SdkCredentials,
    on_behalf_of_config,
    service_principal_config,
)
from appkit_adapters.databricks.directory import ScimDirectory
from appkit_adapters.databricks.errors import translate_error
from appkit_adapters.databricks.http import DatabricksHttp
from appkit_adapters.databricks.result_stream import RowStream
from appkit_adapters.databricks.statements import StatementExecutionWarehouse
from appkit_adapters.databricks.workspace import DatabricksWorkspace, UserView

__all__ = [
    "BearerToken",
    "CredentialSource",
    "DatabricksHttp",
    "DatabricksWorkspace",
    "RowStream",
    "ScimDirectory",
    "SdkCredentials",
    "StatementExecutionWarehouse",
    "UnityCatalog",
    "UserView",
    "on_behalf_of_config",
    "service_principal_config",
    "translate_error",
]
