"""A query result read in batches, so a large result never sits in memory at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from appkit_adapters.sql.warehouse import ColumnInfo, StatementResult
from appkit_domain.errors import AppkitError

Row = tuple[Any, ...]


class ResultStream:
    """Iterate to get lists of row tuples (each at most ``batch_rows`` long).

    ``columns`` describes the rows. The stream holds a database cursor until it is
    exhausted or closed; use it as a context manager or call :meth:`close`.
    """

    def __init__(
        self,
        columns: tuple[ColumnInfo, ...],
        fetch: Callable[[], list[Row]],
        convert: Callable[[Row], Row] | None = None,
        on_close: Callable[[], None] | None = None,
        translate: Callable[[Exception], AppkitError] | None = None,
    ) -> None:
        self.columns = columns
        self._fetch = fetch
        self._convert = convert
        self._on_close = on_close
        self._translate = translate
        self._closed = False
        self.rows_read = 0

    @classmethod
    def of_result(cls, result: StatementResult, batch_rows: int) -> ResultStream:
        """A stream over an already complete result."""
        pending = [result.rows[i : i + batch_rows] for i in range(0, len(result.rows), batch_rows)]
        pending.reverse()
        return cls(result.columns, lambda: pending.pop() if pending else [])

    def __iter__(self) -> Iterator[list[Row]]:
        while not self._closed:
            try:
                batch = self._fetch()
            except AppkitError:
                self.close()
                raise
            except Exception as error:
                self.close()
                if self._translate is None:
                    raise
                raise self._translate(error) from None
            if not batch:
                self.close()
                return
            if self._convert is not None:
                convert = self._convert
                batch = [convert(row) for row in batch]
            self.rows_read += len(batch)
            yield batch

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._on_close is not None:
            self._on_close()

    def __enter__(self) -> ResultStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
