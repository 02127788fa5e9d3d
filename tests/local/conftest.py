"""Fixtures for the local engine tests: a fresh in-memory engine per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from appkit_adapters.local import LocalEngine


@pytest.fixture
def engine() -> Iterator[LocalEngine]:
    with LocalEngine() as local:
        yield local
