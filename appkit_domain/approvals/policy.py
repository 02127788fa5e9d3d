"""Maker-checker policies: who may propose, who may decide, how many must approve.

A :class:`MakerCheckerPolicy` is configuration for one request ``kind``.
Eligibility is written in groups and roles (roles come from a
:class:`appkit_domain.roles.RoleMap`) and is evaluated when the command runs,
against the groups the principal has at that moment (rule 3). The quorum may
depend on the payload (rule 4) and is fixed on the request at submission.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from appkit_domain.errors import InvalidInput, NotFound

QuorumRule = Callable[[Mapping[str, Any]], int]
"""Return how many distinct approvals a payload needs (at least 1)."""


@dataclass(frozen=True)
class Eligibility:
    """Who qualifies: membership of any named group, or any named role.

    ``anyone=True`` admits every authenticated principal. An eligibility
    naming nothing admits nobody, so a forgotten setting fails closed.
    """

    groups: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)
    anyone: bool = False

    def __post_init__(self) -> None:
        for name in ("groups", "roles"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise InvalidInput(f"eligibility {name} must be a collection, not a string")
            if not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))

    @classmethod
    def of(cls, *, groups: Iterable[str] = (), roles: Iterable[str] = ()) -> Eligibility:
        return cls(frozenset(groups), frozenset(roles))

    @classmethod
    def everyone(cls) -> Eligibility:
        return cls(anyone=True)

    def admits(self, groups: Iterable[str], roles: Iterable[str]) -> bool:
        if self.anyone:
            return True
        return not self.groups.isdisjoint(groups) or not self.roles.isdisjoint(roles)


def fixed_quorum(n: int) -> QuorumRule:
    """Every payload needs ``n`` approvals."""
    if n < 1:
        raise InvalidInput("a quorum is at least one approval")

    def rule(payload: Mapping[str, Any]) -> int:
        return n

    return rule


def _decimal(payload: Mapping[str, Any], name: str) -> Decimal | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"payload field {name!r} must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise InvalidInput(f"payload field {name!r} must be a number") from exc
    if not number.is_finite():
        raise InvalidInput(f"payload field {name!r} must be a finite number")
    return number


def relative_change(value: Decimal, reference: Decimal | None) -> Decimal | None:
    """``|value - reference| / |reference|``; ``None`` when there is no finite ratio."""
    if reference is None or reference == 0:
        return None
    return abs(value - reference) / abs(reference)


def materiality_quorum(
    *,
    value_field: str = "value",
    reference_field: str = "computed_value",
    threshold: Decimal = Decimal("0.10"),
    base: int = 1,
    material: int = 2,
) -> QuorumRule:
    """``material`` approvals when the value moves by more than ``threshold``, else ``base``.

    The move is relative to the payload's ``reference_field``. A missing or
    zero reference makes any different value material (there is no ratio to
    call small).
    """
    if base < 1 or material < base:
        raise InvalidInput("materiality quorum needs 1 <= base <= material")

    def rule(payload: Mapping[str, Any]) -> int:
        value = _decimal(payload, value_field)
        if value is None:
            raise InvalidInput(f"payload needs a {value_field!r} to size its quorum")
        reference = _decimal(payload, reference_field)
        change = relative_change(value, reference)
        if change is None:
            return base if reference is not None and value == reference else material
        return material if change > threshold else base

    return rule


@dataclass(frozen=True)
class MakerCheckerPolicy:
    """How requests of one ``kind`` are decided.

    ``quorum`` is a number or a :data:`QuorumRule`. ``veto=True`` (the
    default) ends a request ``REJECTED`` on its first rejection (rule 5);
    with ``veto=False`` it is ``REJECTED`` once rejections reach the quorum.
    ``deadline`` is measured from submission (rule 6). ``auto_apply`` runs
    the registered applier as soon as the quorum is reached; otherwise an
    explicit ``apply`` does, by a principal ``appliers`` admits.
    """

    kind: str
    proposers: Eligibility
    deciders: Eligibility
    quorum: int | QuorumRule = 1
    veto: bool = True
    deadline: timedelta = timedelta(days=7)
    auto_apply: bool = True
    appliers: Eligibility = field(default_factory=Eligibility.everyone)

    def __post_init__(self) -> None:
        if not self.kind or not self.kind.strip():
            raise InvalidInput("a policy needs a request kind")
        if isinstance(self.quorum, int) and self.quorum < 1:
            raise InvalidInput("a quorum is at least one approval")
        if self.deadline <= timedelta(0):
            raise InvalidInput("a policy deadline must be positive")

    def required_approvals(self, payload: Mapping[str, Any]) -> int:
        """The quorum for ``payload``; ``InvalidInput`` if the rule gives less than one."""
        n = self.quorum if isinstance(self.quorum, int) else self.quorum(payload)
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise InvalidInput(f"the quorum rule of {self.kind!r} gave {n!r}, not a count >= 1")
        return n


class PolicyRegistry:
    """The configured policies, one per request kind."""

    def __init__(self, policies: Iterable[MakerCheckerPolicy] = ()) -> None:
        self._policies: dict[str, MakerCheckerPolicy] = {}
        for policy in policies:
            self.register(policy)

    def register(self, policy: MakerCheckerPolicy, *, replace: bool = False) -> None:
        """Add ``policy``; registering a kind twice is ``InvalidInput`` unless ``replace``."""
        if policy.kind in self._policies and not replace:
            raise InvalidInput(f"a policy for kind {policy.kind!r} is already registered")
        self._policies[policy.kind] = policy

    def get(self, kind: str) -> MakerCheckerPolicy:
        try:
            return self._policies[kind]
        except KeyError:
            raise NotFound(f"no approval policy for kind {kind!r}") from None

    def __contains__(self, kind: object) -> bool:
        return kind in self._policies

    def kinds(self) -> list[str]:
        return sorted(self._policies)
