"""Eligibility evaluated at the moment of the command (rule 3).

Groups come from the directory when one is configured (so a principal who
left a group an hour ago no longer qualifies), else from the principal as
authenticated; roles come from the role map. The accountable party is
judged: a service principal acting for someone qualifies only as that someone.
"""

from __future__ import annotations

from appkit_domain.approvals import rules
from appkit_domain.approvals.actor import Actor
from appkit_domain.approvals.errors import NotEligible
from appkit_domain.approvals.policy import Eligibility
from appkit_domain.errors import NotFound
from appkit_domain.ports.directory import Directory
from appkit_domain.roles import RoleMap


class EligibilityCheck:
    def __init__(self, roles: RoleMap, directory: Directory | None) -> None:
        self.roles = roles
        self._directory = directory

    async def groups_of(self, actor: Actor) -> frozenset[str]:
        if self._directory is None:
            return actor.party.groups
        try:
            return await self._directory.groups_of(actor.party_id)
        except NotFound:
            raise NotEligible(f"{actor.party_id} is not in the directory") from None

    async def refusal(
        self, eligibility: Eligibility, actor: Actor, what: str
    ) -> NotEligible | None:
        """``NotEligible`` (not raised) when ``eligibility`` does not admit the actor's party now."""
        try:
            await self.require(eligibility, actor, what)
        except NotEligible as refused:
            return refused
        return None

    async def require(self, eligibility: Eligibility, actor: Actor, what: str) -> None:
        """Raise ``NotEligible`` unless ``eligibility`` admits the actor's party now."""
        if eligibility.anyone:
            return
        groups = await self.groups_of(actor)
        roles = self.roles.roles_for_groups(groups)
        rules.check_eligible(eligibility, actor, groups, roles, what=what)
