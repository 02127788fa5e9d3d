"""The governance tables, as Databricks SQL DDL in one configured ``catalog.schema``.

Every table is a Delta table created with ``CREATE TABLE IF NOT EXISTS``, so
:func:`init_schema` can run any number of times; a table made by an older
release gets the columns it lacks, and catalog-managed commits where it has
none (``'delta.feature.catalogManaged' = 'supported'``), which atomic
``BEGIN ATOMIC ... END`` commits need. JSON-shaped fields
(payloads, details, decisions, row images) are ``STRING`` columns holding
canonical JSON. Every table uses the ``Serializable`` isolation level: the
stores refuse duplicates with statements that read and write the same table
(``INSERT ... WHERE NOT EXISTS``, ``MERGE``), and only ``Serializable`` makes
a concurrent append a conflict rather than a silent duplicate. The audit
table is append-only (``delta.appendOnly``) and partitioned by stream so
writers of different streams never conflict. The local engine keeps these
properties as metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_domain.errors import AppkitError, NotFound
from appkit_domain.identifiers import check_identifier, quote, quote_name

AUDIT_EVENTS = "audit_events"
APPROVAL_REQUESTS = "approval_requests"
METRIC_OVERRIDES = "metric_overrides"
DQ_EXCEPTIONS = "dq_exceptions"
CHANGE_REQUESTS = "change_requests"
APPLIED_CHANGES = "applied_changes"
UNIT_STEPS = "unit_steps"

CATALOG_MANAGED = ("delta.feature.catalogManaged", "supported")
"""The table property that lets a table be written inside ``BEGIN ATOMIC ... END``."""


@dataclass(frozen=True)
class TableSpec:
    """One governance table: its columns (name, Databricks type) and Delta properties."""

    name: str
    columns: tuple[tuple[str, str], ...]
    comment: str
    properties: tuple[tuple[str, str], ...] = ()
    partitioned_by: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


_SERIALIZABLE = (("delta.isolationLevel", "Serializable"), CATALOG_MANAGED)

# Columns every versioned aggregate row carries: ``write_token`` is the id of the
# step that wrote the row last, so a step can tell its own earlier write from
# somebody else's, and a reader can tell a row a half-done step is still changing
# (see appkit_adapters.sql.governance).
_VERSIONED = (("version", "BIGINT NOT NULL"), ("write_token", "STRING NOT NULL"))

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        AUDIT_EVENTS,
        (
            ("id", "STRING NOT NULL"),
            ("stream", "STRING NOT NULL"),
            ("seq", "BIGINT NOT NULL"),
            ("at", "TIMESTAMP NOT NULL"),
            ("actor", "STRING NOT NULL"),
            ("on_behalf_of", "STRING"),
            ("action", "STRING NOT NULL"),
            ("target", "STRING NOT NULL"),
            ("request_id", "STRING"),
            ("details", "STRING NOT NULL"),
            ("prev_hash", "STRING NOT NULL"),
            ("hash", "STRING NOT NULL"),
        ),
        "Tamper-evident audit log: one SHA-256 hash chain per stream. Append-only.",
        (("delta.appendOnly", "true"), *_SERIALIZABLE),
        ("stream",),
    ),
    TableSpec(
        APPROVAL_REQUESTS,
        (
            ("id", "STRING NOT NULL"),
            ("kind", "STRING NOT NULL"),
            ("target", "STRING NOT NULL"),
            ("payload", "STRING NOT NULL"),
            ("payload_hash", "STRING NOT NULL"),
            ("requested_by", "STRING NOT NULL"),
            ("on_behalf_of", "STRING"),
            ("status", "STRING NOT NULL"),
            ("required_approvals", "INT NOT NULL"),
            ("deadline", "TIMESTAMP NOT NULL"),
            ("created_at", "TIMESTAMP NOT NULL"),
            ("updated_at", "TIMESTAMP NOT NULL"),
            ("decisions", "STRING NOT NULL"),
            ("auto_apply", "BOOLEAN NOT NULL"),
            ("apply_claimed", "BOOLEAN NOT NULL"),
            ("result", "STRING"),
            ("failure", "STRING"),
            ("reason", "STRING NOT NULL"),
            ("applied_by", "STRING"),
            ("claim_token", "STRING"),
            ("claim_until", "TIMESTAMP"),
            *_VERSIONED,
        ),
        "Maker-checker approval requests; decisions are kept in the row as a JSON array.",
        _SERIALIZABLE,
    ),
    TableSpec(
        METRIC_OVERRIDES,
        (
            ("id", "STRING NOT NULL"),
            ("entity", "STRING NOT NULL"),
            ("metric", "STRING NOT NULL"),
            ("period", "STRING NOT NULL"),
            ("value", "STRING NOT NULL"),
            ("computed_value", "STRING"),
            ("justification", "STRING NOT NULL"),
            ("effective_from", "TIMESTAMP NOT NULL"),
            ("effective_to", "TIMESTAMP"),
            ("proposed_by", "STRING NOT NULL"),
            ("approval_id", "STRING NOT NULL"),
            ("created_at", "TIMESTAMP NOT NULL"),
            ("status", "STRING NOT NULL"),
            ("applied_at", "TIMESTAMP"),
            ("approved_by", "STRING NOT NULL"),
            ("superseded_by", "STRING"),
            ("superseded_at", "TIMESTAMP"),
            *_VERSIONED,
        ),
        "Metric overrides and their history; values are exact decimal text.",
        _SERIALIZABLE,
    ),
    TableSpec(
        DQ_EXCEPTIONS,
        (
            ("id", "STRING NOT NULL"),
            ("fingerprint", "STRING NOT NULL"),
            ("check_name", "STRING NOT NULL"),
            ("table_name", "STRING NOT NULL"),
            ("rule", "STRING NOT NULL"),
            ("severity", "STRING NOT NULL"),
            ("observed_value", "STRING"),
            ("failing_key", "STRING NOT NULL"),
            ("failing_rows_ref", "STRING"),
            ("detected_at", "TIMESTAMP NOT NULL"),
            ("owner", "STRING NOT NULL"),
            ("due_at", "TIMESTAMP NOT NULL"),
            ("status", "STRING NOT NULL"),
            ("last_detected_at", "TIMESTAMP"),
            ("occurrences", "BIGINT NOT NULL"),
            ("acknowledged_by", "STRING"),
            ("acknowledged_at", "TIMESTAMP"),
            ("resolved_by", "STRING"),
            ("resolved_at", "TIMESTAMP"),
            ("resolution", "STRING"),
            ("waiver_approval_id", "STRING"),
            ("waiver_justification", "STRING"),
            ("waiver_until", "TIMESTAMP"),
            ("waiver_granted_at", "TIMESTAMP"),
            ("pending_waiver_approval_id", "STRING"),
            ("reopened_at", "TIMESTAMP"),
            ("reopen_reason", "STRING"),
            *_VERSIONED,
        ),
        "Data-quality exceptions; the fingerprint identifies one failure and is unique.",
        _SERIALIZABLE,
    ),
    TableSpec(
        CHANGE_REQUESTS,
        (
            ("id", "STRING NOT NULL"),
            ("table_name", "STRING NOT NULL"),
            ("row_key", "STRING NOT NULL"),
            ("new_values", "STRING NOT NULL"),
            ("before_image", "STRING NOT NULL"),
            ("reason", "STRING NOT NULL"),
            ("requested_by", "STRING NOT NULL"),
            ("created_at", "TIMESTAMP NOT NULL"),
            ("updated_at", "TIMESTAMP NOT NULL"),
            ("status", "STRING NOT NULL"),
            ("approval_id", "STRING"),
            ("required_approvals", "INT NOT NULL"),
            ("approvers", "STRING NOT NULL"),
            ("executed_by", "STRING"),
            ("applied_at", "TIMESTAMP"),
            ("failure", "STRING"),
            ("table_version", "BIGINT"),
            ("replaced_version", "BIGINT"),
            *_VERSIONED,
        ),
        "Controlled write-back change requests (row images as JSON; the table versions an"
        " applied change produced and replaced).",
        _SERIALIZABLE,
    ),
    TableSpec(
        APPLIED_CHANGES,
        (
            ("change_id", "STRING NOT NULL"),
            ("table_name", "STRING NOT NULL"),
            ("row_key", "STRING NOT NULL"),
            ("status", "STRING NOT NULL"),
            ("reason", "STRING"),
            ("recorded_at", "TIMESTAMP NOT NULL"),
            ("write_token", "STRING NOT NULL"),
        ),
        "Ledger of applied write-back changes: one row per change id, written once.",
        _SERIALIZABLE,
    ),
    TableSpec(
        UNIT_STEPS,
        (
            ("step_id", "STRING NOT NULL"),
            ("commit_id", "STRING NOT NULL"),
            ("name", "STRING NOT NULL"),
            ("principal", "STRING"),
            ("idempotency_key", "STRING"),
            ("request_hash", "STRING"),
            ("outcome", "STRING NOT NULL"),
            ("state", "STRING NOT NULL"),
            ("plan", "STRING"),
            ("lease_until", "TIMESTAMP"),
            ("committed_at", "TIMESTAMP NOT NULL"),
        ),
        "Governed steps: what each committed (for idempotent retries) and, without atomic "
        "commits, the plan of a step still being written.",
        _SERIALIZABLE,
    ),
)

TABLES_BY_NAME = {spec.name: spec for spec in TABLES}


@dataclass(frozen=True)
class GovernanceSchema:
    """Where the governance tables live: a validated ``catalog.schema``."""

    catalog: str
    schema: str

    def __post_init__(self) -> None:
        check_identifier(self.catalog, "catalog")
        check_identifier(self.schema, "schema")

    @property
    def name(self) -> str:
        return f"{self.catalog}.{self.schema}"

    @property
    def quoted(self) -> str:
        return quote_name(self.catalog, self.schema)

    def table(self, name: str) -> str:
        """The backtick-quoted three-level name of governance table ``name``."""
        return quote_name(self.catalog, self.schema, name)


def _literal(text: str) -> str:
    """A SQL string literal for fixed text defined in this module (never user input)."""
    if "'" in text or "\\" in text:
        raise ValueError("DDL literals must not contain quotes or backslashes")
    return f"'{text}'"


def create_table_statement(location: GovernanceSchema, spec: TableSpec) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for one governance table in ``location``."""
    columns = ",\n  ".join(f"{quote(name)} {sql_type}" for name, sql_type in spec.columns)
    lines = [f"CREATE TABLE IF NOT EXISTS {location.table(spec.name)} (\n  {columns}\n)"]
    lines.append("USING DELTA")
    if spec.partitioned_by:
        lines.append(f"PARTITIONED BY ({', '.join(quote(c) for c in spec.partitioned_by)})")
    lines.append(f"COMMENT {_literal(spec.comment)}")
    if spec.properties:
        props = ", ".join(f"{_literal(k)} = {_literal(v)}" for k, v in spec.properties)
        lines.append(f"TBLPROPERTIES ({props})")
    return "\n".join(lines)


@dataclass(frozen=True)
class InitReport:
    """What :func:`init_schema` did: tables it created, tables that already existed,
    columns it added to existing tables, and tables it could not give catalog-managed
    commits (with the warehouse's reason: atomic commits are then unavailable)."""

    schema: str
    created: tuple[str, ...] = ()
    existing: tuple[str, ...] = ()
    schema_created: bool = False
    statements: list[str] = field(default_factory=list, compare=False)
    added_columns: tuple[str, ...] = ()
    not_catalog_managed: tuple[tuple[str, str], ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.created) or self.schema_created or bool(self.added_columns)


async def existing_tables(warehouse: SqlWarehouse, location: GovernanceSchema) -> set[str] | None:
    """Lower-case names of the tables in ``location``, or None when the schema does not exist."""
    try:
        result = await warehouse.execute(f"SHOW TABLES IN {location.quoted}", idempotent=True)
    except NotFound:
        return None
    names: set[str] = set()
    for row in result.dicts():
        name = row.get("tableName", row.get("tablename", row.get("table_name")))
        if isinstance(name, str):
            names.add(name.lower())
    return names


async def init_schema(
    warehouse: SqlWarehouse,
    catalog: str,
    schema: str,
    *,
    tables: Sequence[TableSpec] = TABLES,
    create_catalog: bool = False,
) -> InitReport:
    """Create the schema and every governance table that does not exist yet; idempotent.

    ``create_catalog`` also runs ``CREATE CATALOG IF NOT EXISTS`` (the local
    engine; on Databricks a catalog is usually created by an administrator).
    Existing tables are left untouched, whatever their columns.
    """
    location = GovernanceSchema(catalog, schema)
    statements: list[str] = []

    async def run(statement: str) -> None:
        statements.append(statement)
        await warehouse.execute(statement, idempotent=True)

    if create_catalog:
        await run(f"CREATE CATALOG IF NOT EXISTS {quote(location.catalog)}")
    before = await existing_tables(warehouse, location)
    schema_created = before is None
    if schema_created:
        await run(f"CREATE SCHEMA IF NOT EXISTS {location.quoted}")
    present = before or set()
    created: list[str] = []
    existing: list[str] = []
    added: list[str] = []
    unmanaged: list[tuple[str, str]] = []
    for spec in tables:
        if spec.name not in present:
            await run(create_table_statement(location, spec))
            created.append(spec.name)
            continue
        existing.append(spec.name)
        columns, properties = await _described(warehouse, location.table(spec.name))
        missing = [(n, t) for n, t in spec.columns if n.lower() not in columns]
        if missing:
            # Columns added later are nullable, whatever the spec says: rows already stored
            # have no value for them.
            definitions = ", ".join(f"{quote(n)} {t.replace(' NOT NULL', '')}" for n, t in missing)
            await run(f"ALTER TABLE {location.table(spec.name)} ADD COLUMNS ({definitions})")
            added.extend(f"{spec.name}.{n}" for n, _ in missing)
        key, value = CATALOG_MANAGED
        if dict(spec.properties).get(key) == value and properties.get(key) not in (
            "supported",
            "enabled",
        ):
            try:
                await run(
                    f"ALTER TABLE {location.table(spec.name)} SET TBLPROPERTIES "
                    f"({_literal(key)} = {_literal(value)})"
                )
            except AppkitError as exc:
                unmanaged.append((spec.name, exc.message))
    return InitReport(
        location.name,
        tuple(created),
        tuple(existing),
        schema_created,
        statements,
        tuple(added),
        tuple(unmanaged),
    )


async def _described(warehouse: SqlWarehouse, table: str) -> tuple[set[str], dict[str, str]]:
    """Lower-case column names and table properties of ``table`` (``DESCRIBE TABLE EXTENDED``)."""
    result = await warehouse.execute(f"DESCRIBE TABLE EXTENDED {table}", idempotent=True)
    columns: set[str] = set()
    properties: dict[str, str] = {}
    in_columns = True
    for row in result.dicts():
        name = str(row.get("col_name") or "")
        if not name or name.startswith("#"):
            in_columns = False
            continue
        if in_columns:
            columns.add(name.lower())
        elif name == "Table Properties":
            properties = _properties(str(row.get("data_type") or ""))
    return columns, properties


def _properties(text: str) -> dict[str, str]:
    """``[k1=v1,k2=v2]`` (as ``DESCRIBE TABLE EXTENDED`` shows them) as a mapping."""
    found: dict[str, str] = {}
    for item in text.strip().strip("[]").split(","):
        key, _, value = item.partition("=")
        if key.strip():
            found[key.strip()] = value.strip()
    return found
