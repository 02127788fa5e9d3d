"""The embedded lakehouse: Databricks SQL on DuckDB with Unity Catalog names.

:class:`LocalEngine` runs one Databricks SQL statement at a time, transpiled by
sqlglot and executed on DuckDB, and answers the way a SQL warehouse does:
typed result columns (``type_name``/``type_text`` as the Statement Execution API
reports them), Python values, DML counts, Databricks error classes.

- Names: every catalog is one DuckDB database (a file under ``data_dir/catalogs``
  when persistent); ``main.default`` always exists; names are lower-case.
- Parameters: ``:name`` markers bound as DuckDB parameters, cast to the declared type.
- Concurrency: reads run in parallel on per-thread cursors; writes take one lock.
- Databricks semantics kept where DuckDB differs: primary keys are informational,
  ``date_add``/``add_months`` return DATE, ``dayofweek`` counts Sunday as 1, division
  by zero fails, integer casts truncate, DECIMAL division and ``avg`` stay DECIMAL
  with Spark's precision and scale, ``MERGE`` refuses several source rows per target
  row, ``to_utc_timestamp``/``from_utc_timestamp``/``format_string``.
- Table versions: every committed write is a new version (one per table per atomic
  block), persisted; DESCRIBE HISTORY, time travel, RESTORE, OPTIMIZE, VACUUM and
  DESCRIBE DETAIL work on them (:mod:`appkit_adapters.local.history`).
- Refused with ``[UNSUPPORTED_FEATURE]`` naming the construct: tables given by path,
  OPTIMIZE ... WHERE, external LOCATION, identity columns, temporary views, USE, GRANT/REVOKE
  (``analyze`` describes them for the workspace), non-Databricks table functions, and
  whatever sqlglot cannot express in DuckDB.

Known differences that are not refused: where an operand's type cannot be worked
out before running (a column read through a subquery, say) an integer cast rounds
and a DECIMAL quotient or average is a DOUBLE; DECIMAL quotients are computed in
double precision (exact to about 15 digits); ``:from``, ``:when``, ``:select`` and
``:like`` cannot be parameter names.
"""

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
