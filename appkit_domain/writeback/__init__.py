"""Controlled write-back: governed changes to rows of Unity Catalog tables."""

from appkit_domain.writeback.change import (
    CHANGE_TRANSITIONS,
    ChangeRequest,
    ChangeStatus,
    RowImage,
)
from appkit_domain.writeback.column_types import ColumnValue, coerce_to_column
from appkit_domain.writeback.query import ChangeQuery
from appkit_domain.writeback.rules import AuditColumns, TableRules, ValueRule, WritebackRules

__all__ = [
    "CHANGE_TRANSITIONS",
    "AuditColumns",
    "ChangeQuery",
    "ChangeRequest",
    "ChangeStatus",
    "ColumnValue",
    "RowImage",
    "TableRules",
    "ValueRule",
    "WritebackRules",
    "coerce_to_column",
]
