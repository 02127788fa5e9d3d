"""Permission checker port: Unity Catalog privileges of a principal on a table."""

from __future__ import annotations

from typing import Protocol

from appkit_domain.identifiers import TableName
from appkit_domain.principal import Principal


class PermissionChecker(Protocol):
    """Unity Catalog privileges as they are now (never cached across a change of grants).

    Answers are booleans, never errors, for a principal or table the
    catalog does not know; an unreachable catalog is
    :class:`~appkit_domain.errors.Unavailable`.
    """

    async def can_select(self, principal: Principal, table: TableName) -> bool:
        """Whether ``principal`` may read ``table`` (SELECT with USE CATALOG/SCHEMA).

        An unknown table answers False rather than revealing that it does not exist.
        """
        ...

    async def can_modify(self, principal: Principal, table: TableName) -> bool:
        """Whether ``principal`` may change rows of ``table`` (MODIFY with USE CATALOG/SCHEMA).

        An unknown table answers False.
        """
        ...
