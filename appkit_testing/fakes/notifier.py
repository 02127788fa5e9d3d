"""A notifier that records what it was asked to send in ``sent``.

Set ``fail_with`` to an exception to make every send raise it (to test that
a lost notification does not undo a committed decision).
"""

from __future__ import annotations

import asyncio

from appkit_domain.ports.notifier import Notification, Notifier


class RecordingNotifier(Notifier):
    def __init__(self) -> None:
        self.sent: list[Notification] = []
        self.fail_with: Exception | None = None

    async def send(self, notification: Notification) -> None:
        await asyncio.sleep(0)
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append(notification)

    def topics(self) -> list[str]:
        return [n.topic for n in self.sent]
