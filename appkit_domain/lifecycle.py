"""What the governance records share: a table of allowed moves and timezone-aware times.

Approval requests, change requests and data-quality exceptions each have
their own status enum and their own table of transitions (they differ: a
change that needs no approval goes ``PENDING -> APPLIED``; an exception
goes round ``RESOLVED -> REOPENED``). The check that a move is in the table,
and the error it raises when it is not, are the same for all of them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar

from appkit_domain.errors import InvalidInput, InvalidTransition

S = TypeVar("S", bound=enum.Enum)


def check_move(
    transitions: Mapping[S, frozenset[S]],
    current: S,
    to: S,
    *,
    subject: str,
    details: Mapping[str, object] | None = None,
) -> None:
    """Raise :class:`InvalidTransition` unless ``current -> to`` is in ``transitions``.

    ``subject`` names the record in the message (``"change chg-1"``);
    ``details`` (ids) are extended with ``from`` and ``to``.
    """
    if to not in transitions[current]:
        raise InvalidTransition(
            f"{subject} cannot go from {current.value} to {to.value}",
            details={**(details or {}), "from": current.value, "to": to.value},
        )


def require_aware(record: object, *names: str) -> None:
    """``InvalidInput`` unless each named datetime attribute of ``record`` carries a time zone."""
    for name in names:
        if getattr(record, name).tzinfo is None:
            raise InvalidInput(f"{name} must be timezone-aware")
