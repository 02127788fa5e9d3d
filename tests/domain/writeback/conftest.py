from __future__ import annotations

import pytest

from tests.domain.writeback.world import WritebackWorld, make_world


@pytest.fixture
def world() -> WritebackWorld:
    return make_world()
