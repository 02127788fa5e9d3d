"""Notifier port: tell people that something awaits them or was decided."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol


@dataclass(frozen=True)
class Notification:
    """A message about an approval request.

    ``topic`` is ``approval.requested`` (to the groups that may decide) or
    ``approval.decided`` (to the requester). ``to_principals`` are principal
    ids; ``to_groups`` are group names the adapter expands. ``details`` hold
    JSON values only and never secrets.
    """

    topic: str
    approval_id: str
    kind: str
    subject: str
    to_principals: frozenset[str] = field(default_factory=frozenset)
    to_groups: frozenset[str] = field(default_factory=frozenset)
    details: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


class Notifier(Protocol):
    """Delivery of :class:`Notification` messages (mail, chat); the domain never waits on people."""

    async def send(self, notification: Notification) -> None:
        """Deliver ``notification`` or raise :class:`appkit_domain.errors.Unavailable`.

        Delivery is best effort for the caller: the state change it reports
        is already committed and audited.
        """
        ...
