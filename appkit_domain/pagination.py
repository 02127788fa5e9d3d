"""Pages and opaque page tokens shared by every list query."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from appkit_domain.errors import InvalidInput

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results; ``next_page_token`` is ``None`` on the last page."""

    items: Sequence[T]
    next_page_token: str | None = None


def check_page_size(page_size: int) -> int:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
    return page_size


def encode_token(cursor: Sequence[str | int]) -> str:
    """Encode a keyset cursor (the sort key of the last item served) as an opaque token."""
    raw = json.dumps(list(cursor), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, arity: int) -> list[str | int]:
    """Decode a token made by :func:`encode_token`; a malformed token is ``InvalidInput``."""
    try:
        padded = token + "=" * (-len(token) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("page_token is not valid") from exc
    if (
        not isinstance(value, list)
        or len(value) != arity
        or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value)
    ):
        raise InvalidInput("page_token is not valid")
    return value
