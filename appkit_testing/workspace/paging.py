"""``max_results`` / ``page_token`` paging exactly as Unity Catalog lists do it.

``max_results`` absent: everything in one answer (legacy). ``0``: the server's
default page size. ``> 0``: that many, capped at the server maximum. ``< 0``:
``INVALID_PARAMETER_VALUE``. Tokens are opaque keyset cursors (the sort key of
the last item served); the last page carries no token.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from appkit_domain.errors import InvalidInput
from appkit_domain.pagination import decode_token, encode_token
from appkit_testing.workspace.errors import invalid_parameter

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def paginate(
    items: Sequence[T],
    key: Callable[[T], str],
    max_results: int | None,
    page_token: str | None,
    *,
    default_size: int = DEFAULT_PAGE_SIZE,
) -> tuple[list[T], str | None]:
    """One page of ``items`` (sorted here by ``key``) and the token of the next page."""
    ordered = sorted(items, key=key)
    if page_token:
        try:
            (after,) = decode_token(page_token, 1)
        except InvalidInput:
            raise invalid_parameter("Invalid page_token.") from None
        ordered = [item for item in ordered if key(item) > str(after)]
    if max_results is None and not page_token:
        return ordered, None
    if max_results is not None and max_results < 0:
        raise invalid_parameter("max_results must be greater than or equal to 0.")
    size = default_size if not max_results else min(max_results, MAX_PAGE_SIZE)
    page = ordered[:size]
    if len(ordered) > size:
        return page, encode_token([key(page[-1])])
    return page, None
