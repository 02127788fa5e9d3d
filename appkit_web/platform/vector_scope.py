"""Scoping vector search results by the caller's identity, per index (configuration).

``VectorScope({"main.docs.chunks_index": "visible_to"})`` makes every search
of that index keep only rows whose ``visible_to`` column equals the caller's
email or one of their groups. A client filter naming that column is refused
(it could only widen or confuse the scope), so the scope cannot be escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from appkit_domain.errors import PermissionDenied
from appkit_domain.principal import Principal


class VectorScope:
    def __init__(self, columns: Mapping[str, str] | None = None) -> None:
        self.columns = MappingProxyType(dict(columns or {}))

    def filters_for(
        self, index: str, principal: Principal, filters: Mapping[str, Any]
    ) -> dict[str, Any]:
        """``filters`` plus the identity filter for ``index`` when it has one."""
        column = self.columns.get(index)
        if column is None:
            return dict(filters)
        for key in filters:
            if column in key.replace(" OR ", " ").split():
                raise PermissionDenied(
                    f"searches of {index} are scoped to the caller by {column}; "
                    "a filter on that column is not allowed"
                )
        who = sorted({principal.email, *principal.groups} - {""})
        return {**filters, column: who}
