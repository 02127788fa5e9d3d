# ruff: noqa: S608  (only quoted, validated identifiers and :markers are interpolated; values are parameters)
"""Insert-once and compare-and-set writes of versioned aggregate rows, one statement each.

A new row goes in with one ``MERGE ... WHEN NOT MATCHED THEN INSERT`` whose
``ON`` clause names every unique column (the id, and e.g. a fingerprint): 0
affected rows means a row with one of those values exists. A change is one
``UPDATE ... WHERE id = :id AND version = :expected``: 0 affected rows means
the row moved on (or never existed).

Every write also stores a fresh random ``write_token``. The Statement
Execution API has no idempotency key, so a statement whose response was lost
may have run; the transport may then send it again, and the second run
affects 0 rows. Only on that path the store reads the row back: when it
holds this call's token, the earlier run landed and the write succeeded;
otherwise the 0 is a real ``Conflict`` / ``StaleVersion``. This makes every
write safe to retry (``idempotent=True``) at the cost of one extra read on
the refusal path only. A warehouse-reported concurrent-write conflict is
handled the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

from appkit_adapters.sql.schema import TABLES_BY_NAME, GovernanceSchema
from appkit_adapters.sql.stores.values import bigint, limit_clause, string, timestamp, utc
from appkit_adapters.sql.warehouse import SqlParameter, SqlWarehouse
from appkit_domain.errors import Conflict, InvalidInput, NotFound, StaleVersion
from appkit_domain.identifiers import quote
from appkit_domain.pagination import Page, decode_token, encode_token

T = TypeVar("T")


def new_write_token() -> str:
    return uuid.uuid4().hex


def data_select(table_name: str) -> str:
    """The quoted select list of every stored column of ``table_name`` but ``write_token``."""
    columns = TABLES_BY_NAME[table_name].column_names
    return ", ".join(quote(c) for c in columns if c != "write_token")


def _split_id(values: Sequence[SqlParameter]) -> tuple[str, Sequence[SqlParameter]]:
    """The row id named by ``values``' leading ``id`` parameter, and the other values."""
    if not values or values[0].name != "id" or not isinstance(values[0].value, str):
        raise InvalidInput("an aggregate row's values must start with its string id")
    return values[0].value, values[1:]


class VersionedRows:
    """The rows of one aggregate table keyed by ``id`` with ``version`` and ``write_token``."""

    def __init__(self, warehouse: SqlWarehouse, table: str, what: str) -> None:
        self.warehouse = warehouse
        self.table = table  # already quoted
        self.what = what

    async def insert(
        self, row_id: str, values: Sequence[SqlParameter], unique: Sequence[str]
    ) -> None:
        """Insert the row named by ``values`` (parameter name = column name) unless a row
        shares any column in ``unique``; then raise ``Conflict`` and store nothing."""
        token = new_write_token()
        params = [*values, string("write_token", token)]
        columns = [quote(p.name) for p in params]
        source = ", ".join(f":{p.name} AS {quote(p.name)}" for p in params)
        match = " OR ".join(f"t.{quote(c)} = s.{quote(c)}" for c in unique)
        statement = (
            f"MERGE INTO {self.table} AS t USING (SELECT {source}) AS s ON {match} "
            f"WHEN NOT MATCHED THEN INSERT ({', '.join(columns)}) "
            f"VALUES ({', '.join('s.' + c for c in columns)})"
        )
        if await self._landed(statement, params):
            return
        if await self._token_of(row_id) == token:
            return
        raise Conflict(f"{self.what} {row_id} (or one with the same unique key) already exists")

    async def replace(
        self,
        row_id: str,
        values: Sequence[SqlParameter],
        *,
        version: int,
        expected_version: int,
    ) -> None:
        """Overwrite the row's columns if it is still at ``expected_version``."""
        if version != expected_version + 1:
            raise InvalidInput(
                f"a saved {self.what} must be exactly one version ahead of expected_version"
            )
        token = new_write_token()
        params = [
            *values,
            SqlParameter("version", version, "BIGINT"),
            string("write_token", token),
            string("_id", row_id),
            SqlParameter("_expected", expected_version, "BIGINT"),
        ]
        assignments = ", ".join(f"{quote(p.name)} = :{p.name}" for p in params[:-2])
        statement = (
            f"UPDATE {self.table} SET {assignments} WHERE `id` = :_id AND `version` = :_expected"
        )
        if await self._landed(statement, params):
            return
        stored = await self._version_and_token(row_id)
        if stored is None:
            raise NotFound(f"no {self.what} {row_id}")
        stored_version, stored_token = stored
        if stored_token == token:
            return
        raise StaleVersion(
            f"{self.what} {row_id} is at version {stored_version}, not {expected_version}",
            details={"id": row_id, "stored_version": stored_version},
        )

    async def _landed(self, statement: str, params: Sequence[SqlParameter]) -> bool:
        """Run one write (safe to retry); whether it affected a row. A warehouse-reported
        concurrent-write ``Conflict`` counts as not affecting one (the caller reads back)."""
        try:
            result = await self.warehouse.execute(statement, params, idempotent=True)
        except StaleVersion:
            raise
        except Conflict:
            return False
        return (result.affected_rows or 0) >= 1

    async def _version_and_token(self, row_id: str) -> tuple[int, str] | None:
        result = await self.warehouse.execute(
            f"SELECT `version`, `write_token` FROM {self.table} WHERE `id` = :id",
            [string("id", row_id)],
            idempotent=True,
        )
        if not result.rows:
            return None
        version, token = result.rows[0]
        return int(version), str(token)

    async def _token_of(self, row_id: str) -> str | None:
        stored = await self._version_and_token(row_id)
        return None if stored is None else stored[1]

    async def fetch(
        self, columns: str, where: str, params: Sequence[SqlParameter], *, tail: str = ""
    ) -> list[dict[str, Any]]:
        """Rows of ``SELECT columns FROM table WHERE where tail`` as dicts (a read)."""
        statement = f"SELECT {columns} FROM {self.table} WHERE {where} {tail}".rstrip()
        result = await self.warehouse.execute(statement, list(params), idempotent=True)
        return result.dicts()

    async def add(
        self, values: Sequence[SqlParameter], *, version: int, unique: Sequence[str] = ("id",)
    ) -> None:
        """Insert a new aggregate row at ``version``; ``values`` starts with its ``id``
        parameter (see :meth:`insert` for the refusal on a shared unique column)."""
        row_id, _ = _split_id(values)
        await self.insert(row_id, [*values, bigint("version", version)], unique)

    async def save(
        self, values: Sequence[SqlParameter], *, version: int, expected_version: int
    ) -> None:
        """Overwrite the row whose ``id`` parameter leads ``values`` (see :meth:`replace`)."""
        row_id, rest = _split_id(values)
        await self.replace(row_id, rest, version=version, expected_version=expected_version)

    async def one(self, columns: str, row_id: str) -> dict[str, Any]:
        """The row with ``id`` = ``row_id`` as a dict; ``NotFound`` when there is none."""
        rows = await self.fetch(columns, "`id` = :id", [string("id", row_id)])
        if not rows:
            raise NotFound(f"no {self.what} {row_id}")
        return rows[0]

    async def page(
        self,
        columns: str,
        where: Sequence[str],
        params: Sequence[SqlParameter],
        *,
        order_by: str,
        page_size: int,
        page_token: str | None,
        item: Callable[[dict[str, Any]], T],
        cursor: Callable[[T], Sequence[str]],
    ) -> Page[T]:
        """One keyset page of the rows matching every ``where`` condition, ordered by the
        time column ``order_by`` then ``id`` (one read).

        ``page_token`` is the token of the previous page; ``cursor`` gives the
        ``[time text, id]`` of the last item served, from which the next token is made
        when more rows follow."""
        limit = limit_clause(page_size)
        conditions = list(where)
        values = list(params)
        if page_token:
            at_text, last_id = decode_token(page_token, 2)
            try:
                after = utc(str(at_text))
            except (ValueError, InvalidInput):
                raise InvalidInput("page_token is not valid") from None
            column = quote(order_by)
            conditions.append(f"({column} > :c_at OR ({column} = :c_at AND `id` > :c_id))")
            values.extend([timestamp("c_at", after), string("c_id", str(last_id))])
        rows = await self.fetch(
            columns,
            " AND ".join(conditions),
            values,
            tail=f"ORDER BY {quote(order_by)}, `id` {limit}",
        )
        found = [item(row) for row in rows]
        items = found[:page_size]
        token = None
        if len(found) > page_size and items:
            token = encode_token(cursor(items[-1]))
        return Page(items, token)


class VersionedStore:
    """The base of a store over one versioned aggregate table of the governance schema.

    A subclass names its table (``table_name``, e.g. ``APPROVAL_REQUESTS``) and what one
    row is called in errors (``what``); its rows are then ``self.rows``."""

    table_name: ClassVar[str]
    what: ClassVar[str]

    def __init__(self, warehouse: SqlWarehouse, location: GovernanceSchema) -> None:
        self.warehouse = warehouse
        self.location = location
        self.rows = VersionedRows(warehouse, location.table(self.table_name), self.what)
