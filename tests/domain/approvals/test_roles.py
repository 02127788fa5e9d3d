from __future__ import annotations

import pytest

from appkit_domain.approvals import Eligibility
from appkit_domain.errors import InvalidInput
from appkit_domain.principal import Principal
from appkit_domain.roles import RoleMap


def test_roles_are_derived_from_groups_by_configuration() -> None:
    roles = RoleMap({"risk-approvers": {"approver"}, "data-stewards": ["maker", "viewer"]})
    both = Principal("u-1", "a@example.com", groups=frozenset({"risk-approvers", "data-stewards"}))
    assert roles.roles_of(both) == {"approver", "maker", "viewer"}
    assert roles.roles_of(Principal("u-2", "b@example.com", groups=frozenset({"other"}))) == set()
    assert roles.groups_with_role("approver") == {"risk-approvers"}


def test_the_same_group_means_nothing_without_configuration() -> None:
    principal = Principal("u-1", "a@example.com", groups=frozenset({"risk-approvers"}))
    assert RoleMap().roles_of(principal) == frozenset()


def test_role_map_refuses_malformed_configuration() -> None:
    with pytest.raises(InvalidInput):
        RoleMap({"": {"approver"}})
    with pytest.raises(InvalidInput):
        RoleMap({"g": "approver"})
    with pytest.raises(InvalidInput):
        RoleMap({"g": {""}})


def test_eligibility_naming_nothing_admits_nobody() -> None:
    assert not Eligibility().admits({"any"}, {"approver"})
    assert Eligibility.everyone().admits(set(), set())
    assert Eligibility.of(groups={"g"}).admits({"g"}, set())
    assert Eligibility.of(roles={"r"}).admits(set(), {"r"})
