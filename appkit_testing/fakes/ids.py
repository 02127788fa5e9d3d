"""Predictable ids: ``prefix`` + a zero-padded counter."""

from __future__ import annotations

import itertools

from appkit_domain.ports.ids import IdGenerator


class SequentialIds(IdGenerator):
    def __init__(self, start: int = 1) -> None:
        self._counter = itertools.count(start)
        self.issued: list[str] = []

    def new_id(self, prefix: str = "") -> str:
        value = f"{prefix}{next(self._counter):06d}"
        self.issued.append(value)
        return value
