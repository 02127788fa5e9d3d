"""A token-shaped value sent anywhere in a request never reaches a problem+json body.

(A successful response may show back free text the caller stored, such as a justification:
that is the caller's own record, not an error or a log.)"""

from __future__ import annotations

import pytest

from tests.web.conftest import ALICE

PAT = "dapi0123456789abcdef0123456789abcdef"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl"


@pytest.mark.parametrize("token", [PAT, JWT])
async def test_a_problem_detail_echoing_a_client_value_carries_no_token(api, token: str):
    response = await api.get(f"/api/approvals/{token}", ALICE)
    assert response.status_code == 404
    assert token not in response.text and "[REDACTED]" in response.json()["detail"]
