"""What a ``CREATE TABLE`` / ``CREATE VIEW`` / ``CREATE SCHEMA`` says beyond DuckDB DDL.

Delta-specific clauses (``USING DELTA``, ``TBLPROPERTIES``, ``COMMENT``, column comments,
``PARTITIONED BY``, ``CLUSTER BY``) are taken off the statement and kept as table
metadata. Informational constraints (``PRIMARY KEY``, ``FOREIGN KEY``) are dropped
because Databricks does not enforce them and DuckDB would. Clauses that would change
behaviour and cannot be honoured (``LOCATION``, identity and generated columns) are
refused by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from appkit_adapters.local.errors import unsupported

_IGNORED_PROPERTIES = (
    exp.PartitionedByProperty,
    exp.ClusteredByProperty,
    exp.ClusterProperty,
    exp.Cluster,
)
_DROPPED_CONSTRAINTS = (exp.PrimaryKeyColumnConstraint, exp.UniqueColumnConstraint)
_REFUSED_CONSTRAINTS: dict[type[exp.Expression], str] = {
    exp.GeneratedAsIdentityColumnConstraint: "GENERATED ... AS IDENTITY columns",
    exp.ComputedColumnConstraint: "generated columns",
}


@dataclass(frozen=True)
class TableDefinition:
    """Metadata of a created table or view, kept beside it in the catalog database."""

    full_name: str
    table_type: str  # MANAGED or VIEW
    data_source_format: str | None
    comment: str | None
    properties: tuple[tuple[str, str], ...]
    column_comments: tuple[tuple[str, str], ...]
    view_text: str | None
    replace: bool
    if_not_exists: bool


@dataclass(frozen=True)
class MetadataChange:
    """An ALTER/COMMENT that changes table metadata kept beside the table."""

    full_name: str
    comment: str | None = None
    properties: tuple[tuple[str, str], ...] = ()
    column_comments: tuple[tuple[str, str], ...] = ()
    renamed_to: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    """``SET TAGS``: Unity Catalog tags (name, value; a tag without a value has '')."""


def _literal_text(node: exp.Expression | None) -> str:
    if node is None:
        return ""
    if isinstance(node, exp.Literal):
        return str(node.this)
    return node.name or node.sql()


def _take_properties(
    create: exp.Create, *, kind: str
) -> tuple[str | None, str | None, list[tuple[str, str]]]:
    """Remove the properties clause; return (format, comment, tblproperties)."""
    data_format: str | None = None
    comment: str | None = None
    properties: list[tuple[str, str]] = []
    holder = create.args.get("properties")
    for prop in holder.expressions if holder is not None else []:
        if isinstance(prop, exp.FileFormatProperty):
            data_format = _literal_text(prop.this).upper()
        elif isinstance(prop, exp.SchemaCommentProperty):
            comment = _literal_text(prop.this)
        elif isinstance(prop, exp.Property) and type(prop) is exp.Property:
            properties.append((_literal_text(prop.this), _literal_text(prop.args.get("value"))))
        elif isinstance(prop, _IGNORED_PROPERTIES) and kind == "TABLE":
            continue
        elif isinstance(prop, exp.LocationProperty):
            raise unsupported("LOCATION (external storage)")
        elif isinstance(prop, exp.TemporaryProperty):
            raise unsupported(f"CREATE TEMPORARY {kind} (session objects)")
        else:
            raise unsupported(f"the {prop.key.upper()} clause of CREATE {kind}")
    create.set("properties", None)
    return data_format, comment, properties


def strip_column_comments(column: exp.ColumnDef) -> list[tuple[str, str]]:
    """Remove ``COMMENT`` constraints from one column definition; return them."""
    comments: list[tuple[str, str]] = []
    constraints = []
    for constraint in column.args.get("constraints") or []:
        kind = constraint.args.get("kind")
        if isinstance(kind, exp.CommentColumnConstraint):
            comments.append((column.name.lower(), _literal_text(kind.this)))
        else:
            constraints.append(constraint)
    column.set("constraints", constraints)
    return comments


def take_alter(alter: exp.Alter, full_name: str) -> tuple[MetadataChange, bool]:
    """Split metadata actions off an ALTER TABLE; returns (change, whether DuckDB DDL remains)."""
    properties: list[tuple[str, str]] = []
    column_comments: list[tuple[str, str]] = []
    renamed_to: str | None = None
    kept: list[exp.Expression] = []
    tags: list[tuple[str, str]] = []
    for action in alter.args.get("actions") or []:
        if isinstance(action, exp.AlterSet) and action.args.get("tag"):
            for group in action.args["tag"]:
                for item in group.expressions if isinstance(group, exp.Tuple) else [group]:
                    if isinstance(item, exp.EQ):
                        tags.append((_literal_text(item.this), _literal_text(item.expression)))
                    else:
                        tags.append((_literal_text(item), ""))
            continue
        if isinstance(action, exp.AlterSet):
            for holder in action.expressions:
                if not isinstance(holder, exp.Properties):
                    raise unsupported(f"ALTER TABLE ... SET {holder.sql(dialect='databricks')}")
                for prop in holder.expressions:
                    if type(prop) is not exp.Property:
                        raise unsupported(f"ALTER TABLE ... SET {prop.key.upper()}")
                    properties.append(
                        (_literal_text(prop.this), _literal_text(prop.args.get("value")))
                    )
            continue
        if isinstance(action, exp.AlterColumn) and action.args.get("comment") is not None:
            if any(action.args.get(key) for key in ("dtype", "default", "drop", "allow_null")):
                raise unsupported("ALTER COLUMN with COMMENT and another change")
            column_comments.append((action.name.lower(), _literal_text(action.args["comment"])))
            continue
        if isinstance(action, exp.AlterRename):
            renamed_to = action.this.name.lower()
        for column in action.find_all(exp.ColumnDef):
            column_comments.extend(strip_column_comments(column))
        kept.append(action)
    alter.set("actions", kept)
    change = MetadataChange(
        full_name=full_name,
        properties=tuple(properties),
        column_comments=tuple(column_comments),
        renamed_to=renamed_to,
        tags=tuple(tags),
    )
    return change, bool(kept)


def _clean_columns(schema: exp.Schema) -> list[tuple[str, str]]:
    """Strip column comments and informational constraints; return column comments."""
    comments: list[tuple[str, str]] = []
    kept: list[exp.Expression] = []
    for item in schema.expressions:
        if isinstance(item, (exp.PrimaryKey, exp.ForeignKey)):
            continue
        if isinstance(item, exp.Constraint) and item.find(exp.PrimaryKey, exp.ForeignKey):
            continue
        if isinstance(item, exp.ColumnDef):
            constraints = []
            for constraint in item.args.get("constraints") or []:
                kind = constraint.args.get("kind")
                for refused, label in _REFUSED_CONSTRAINTS.items():
                    if isinstance(kind, refused):
                        raise unsupported(label)
                if isinstance(kind, exp.CommentColumnConstraint):
                    comments.append((item.name.lower(), _literal_text(kind.this)))
                    continue
                if isinstance(kind, _DROPPED_CONSTRAINTS):
                    continue
                constraints.append(constraint)
            item.set("constraints", constraints)
        kept.append(item)
    schema.set("expressions", kept)
    return comments


def take_definition(
    create: exp.Create, full_name: str, query_text: str | None
) -> TableDefinition | None:
    """Strip Delta-only clauses from a CREATE statement in place and return its metadata."""
    kind = str(create.args.get("kind") or "").upper()
    if kind == "SCHEMA":
        _take_properties(create, kind=kind)
        return None
    if kind not in ("TABLE", "VIEW"):
        raise unsupported(f"CREATE {kind or 'statement of this form'}")
    data_format, comment, properties = _take_properties(create, kind=kind)
    column_comments: list[tuple[str, str]] = []
    target = create.this
    if isinstance(target, exp.Schema):
        column_comments = _clean_columns(target)
    view_text = query_text if kind == "VIEW" else None
    return TableDefinition(
        full_name=full_name,
        table_type="VIEW" if kind == "VIEW" else "MANAGED",
        data_source_format=None if kind == "VIEW" else (data_format or "DELTA"),
        comment=comment,
        properties=tuple(properties),
        column_comments=tuple(column_comments),
        view_text=view_text,
        replace=bool(create.args.get("replace")),
        if_not_exists=bool(create.args.get("exists")),
    )
