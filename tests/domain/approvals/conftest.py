from __future__ import annotations

import pytest

from tests.domain.approvals.world import ApprovalWorld, make_world


@pytest.fixture
def world() -> ApprovalWorld:
    return make_world()
