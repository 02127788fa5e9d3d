"""What the emulator needs from a SQL engine, and how it gets the embedded one.

The emulator runs statements on the embedded local engine
(:class:`appkit_adapters.local.LocalEngine`); this protocol names the part of
its API the emulator relies on, so the dependency is explicit and checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from appkit_adapters.sql.warehouse import ColumnInfo, SqlParameter, StatementResult


class ResultStreamLike(Protocol):
    @property
    def columns(self) -> Sequence[ColumnInfo]: ...

    def __iter__(self) -> Iterator[Sequence[tuple[Any, ...]]]: ...

    def close(self) -> None: ...


class StatementInfoLike(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def reads(self) -> frozenset[str]: ...

    @property
    def writes(self) -> frozenset[str]: ...

    @property
    def is_read_only(self) -> bool: ...


class SqlEngine(Protocol):
    def execute(
        self,
        statement: str,
        parameters: Sequence[SqlParameter] | None,
        *,
        principal: str,
        row_limit: int | None = None,
        catalog: str | None = None,
        schema: str | None = None,
        groups: Iterable[str] = (),
    ) -> StatementResult: ...

    def stream(
        self,
        statement: str,
        parameters: Sequence[SqlParameter] | None,
        *,
        principal: str,
        batch_rows: int = 10_000,
        catalog: str | None = None,
        schema: str | None = None,
        groups: Iterable[str] = (),
    ) -> ResultStreamLike: ...

    def analyze(
        self, statement: str, *, catalog: str | None = None, schema: str | None = None
    ) -> StatementInfoLike: ...

    def list_catalogs(self) -> Sequence[Any]: ...

    def list_schemas(self, catalog: str) -> Sequence[Any]: ...

    def list_tables(self, catalog: str, schema: str) -> Sequence[Any]: ...

    def get_table(self, full_name: str) -> Any: ...


def embedded_engine(data_dir: Path | None) -> SqlEngine:
    """A new embedded local engine; ``None`` keeps everything in memory."""
    from appkit_adapters.local import LocalEngine

    engine: SqlEngine = LocalEngine(data_dir=data_dir)
    return engine


def object_name(item: Any) -> str:
    """The name of a catalog/schema listing entry, whether a string or an object."""
    return item if isinstance(item, str) else str(item.name)
