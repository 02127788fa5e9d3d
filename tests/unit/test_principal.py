import pytest

from appkit_domain.errors import InvalidInput
from appkit_domain.principal import Principal, PrincipalKind


def test_principal_groups_are_a_frozenset() -> None:
    alice = Principal("u-1", "alice@example.com", "Alice", groups={"data-stewards"})  # type: ignore[arg-type]
    assert alice.groups == frozenset({"data-stewards"})
    assert alice.in_any({"data-stewards", "x"})
    assert not alice.is_service_principal


def test_principal_needs_an_id() -> None:
    with pytest.raises(InvalidInput):
        Principal(" ", "x@example.com")


def test_service_principal_kind() -> None:
    sp = Principal("sp-1", "", kind=PrincipalKind.SERVICE_PRINCIPAL)
    assert sp.is_service_principal
    assert sp.with_groups({"a"}).groups == frozenset({"a"})
