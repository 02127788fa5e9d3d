from __future__ import annotations

import pytest

from tests.domain.dq.world import DqWorld, make_world


@pytest.fixture
def world() -> DqWorld:
    return make_world()
