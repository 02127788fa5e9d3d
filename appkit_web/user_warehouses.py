"""Warehouses bound to the calling user (reads that respect their Unity Catalog permissions)."""

from __future__ import annotations

from collections.abc import Callable

from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_domain.errors import Unavailable
from appkit_domain.principal import Principal

WarehouseForUser = Callable[[Principal, "str | None"], SqlWarehouse]
"""``(principal, on-behalf-of token or None) -> a warehouse executing as that user``."""


class UserWarehouses:
    """Gives the warehouse that runs statements as the calling user.

    ``factory`` is ``None`` on a backend without a warehouse (memory): every
    call then raises :class:`Unavailable` saying so.
    """

    def __init__(self, factory: WarehouseForUser | None, backend: str) -> None:
        self._factory = factory
        self.backend = backend

    def for_user(self, principal: Principal, token: str | None) -> SqlWarehouse:
        if self._factory is None:
            raise Unavailable(f"the {self.backend} backend has no SQL warehouse")
        return self._factory(principal, token)
