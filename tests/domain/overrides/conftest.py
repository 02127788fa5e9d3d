from __future__ import annotations

import pytest

from tests.domain.overrides.world import OverrideWorld, make_override_world


@pytest.fixture
def ow() -> OverrideWorld:
    return make_override_world()
