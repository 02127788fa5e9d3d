import pytest

from appkit_domain.errors import InvalidInput
from appkit_domain.pagination import check_page_size, decode_token, encode_token


def test_token_round_trip() -> None:
    token = encode_token(["2026-01-01T00:00:00.000000Z", "app-1", 7])
    assert decode_token(token, 3) == ["2026-01-01T00:00:00.000000Z", "app-1", 7]


@pytest.mark.parametrize("token", ["!!!", "e30", encode_token(["a"]), "bm90IGpzb24"])
def test_malformed_tokens_are_invalid_input(token: str) -> None:
    with pytest.raises(InvalidInput):
        decode_token(token, 3)


@pytest.mark.parametrize("size", [0, -1, 1001])
def test_page_size_bounds(size: int) -> None:
    with pytest.raises(InvalidInput):
        check_page_size(size)
