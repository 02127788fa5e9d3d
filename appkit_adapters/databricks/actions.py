"""The governed platform actions (:class:`~appkit_adapters.platform.actions.PlatformActions`)
on Databricks: one call each, as the identity of ``http`` (the app's service principal).

Retrying any of them is safe (see the port's contract): ``run_job`` always
carries an idempotency token, cancels are no-ops on ended runs, and a delete
that finds nothing answers ``already_absent``.
"""

from __future__ import annotations

from collections.abc import Mapping

from appkit_adapters.databricks.http import DatabricksHttp
from appkit_adapters.databricks.jobs import DatabricksJobs
from appkit_adapters.databricks.secrets import DatabricksSecrets
from appkit_adapters.platform.actions import ActionOutcome, PlatformActions, RunStarted
from appkit_domain.errors import NotFound


class DatabricksPlatformActions(PlatformActions):
    def __init__(self, http: DatabricksHttp) -> None:
        self.jobs = DatabricksJobs(http)
        self.secrets = DatabricksSecrets(http)

    async def run_job(
        self, job_id: int, *, idempotency_token: str, parameters: Mapping[str, str] | None = None
    ) -> RunStarted:
        return await self.jobs.run_now(
            job_id, parameters=parameters, idempotency_token=idempotency_token
        )

    async def cancel_run(self, run_id: int) -> ActionOutcome:
        await self.jobs.cancel_run(run_id)
        return ActionOutcome(f"run:{run_id}")

    async def delete_secret_scope(self, scope: str) -> ActionOutcome:
        try:
            await self.secrets.delete_scope(scope)
        except NotFound:
            return ActionOutcome(f"secret-scope:{scope}", already_absent=True)
        return ActionOutcome(f"secret-scope:{scope}")

    async def delete_secret(self, scope: str, key: str) -> ActionOutcome:
        try:
            await self.secrets.delete_secret(scope, key)
        except NotFound:
            return ActionOutcome(f"secret:{scope}/{key}", already_absent=True)
        return ActionOutcome(f"secret:{scope}/{key}")
