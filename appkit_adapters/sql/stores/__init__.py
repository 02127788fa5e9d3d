"""The SQL stores: every governance port implemented once, in Databricks SQL.

They run unchanged on any :class:`~appkit_adapters.sql.warehouse.SqlWarehouse`
(the local engine, the Statement Execution client). Build them on a
warehouse bound to the app's service principal and the governance schema
created by :func:`appkit_adapters.sql.schema.init_schema`::

    location = GovernanceSchema("main", "governance")
    audit = SqlAuditStore(warehouse, location)
"""

from appkit_adapters.sql.stores.approvals import SqlApprovalStore
from appkit_adapters.sql.stores.audit import SqlAuditStore
from appkit_adapters.sql.stores.changes import SqlChangeStore
from appkit_adapters.sql.stores.counting import CountingWarehouse
from appkit_adapters.sql.stores.dq import SqlDqStore
from appkit_adapters.sql.stores.governed_table import SqlGovernedTable
from appkit_adapters.sql.stores.overrides import SqlOverrideStore

__all__ = [
    "CountingWarehouse",
    "SqlApprovalStore",
    "SqlAuditStore",
    "SqlChangeStore",
    "SqlDqStore",
    "SqlGovernedTable",
    "SqlOverrideStore",
]
