"""The embedded lakehouse: Databricks SQL on DuckDB with Unity Catalog names."""

from appkit_adapters.local.commands import PrivilegeChange
from appkit_adapters.local.engine import LocalEngine
from appkit_adapters.local.errors import UnsupportedStatement
from appkit_adapters.local.statements import StatementInfo
from appkit_adapters.local.stream import ResultStream
from appkit_adapters.local.tables import TableInfo
from appkit_adapters.local.warehouse import LocalWarehouse

__all__ = [
    "LocalEngine",
    "LocalWarehouse",
    "PrivilegeChange",
    "ResultStream",
    "StatementInfo",
    "TableInfo",
    "UnsupportedStatement",
]
