"""The executing side of governed platform actions: each runs once and says what it did.

A governed action ("run job X", "cancel run R", "delete secret scope S" or
"key K") is approved first and executed afterwards by an applier, as the
app's service principal. :class:`PlatformActions` is what that applier
calls. Every method raises only the domain error tree and is safe to call
again after an answer was lost:

* ``run_job`` sends an ``idempotency_token`` (at most 64 characters, e.g. the
  approval or step id): Databricks returns the run that token already
  started instead of starting another, so a retry never runs the job twice;
* ``cancel_run`` on a run that already ended changes nothing;
* a delete of something already gone answers ``already_absent=True``
  rather than failing, so a retried step can tell "done" from "never was".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

MAX_IDEMPOTENCY_TOKEN = 64


@dataclass(frozen=True)
class RunStarted:
    """A job run that ``run_job`` started (or had already started with the same token)."""

    job_id: int
    run_id: int
    number_in_job: int | None = None


@dataclass(frozen=True)
class ActionOutcome:
    """What a cancel or delete did: ``target`` names the object, e.g. ``secret-scope:app``."""

    target: str
    already_absent: bool = False


class PlatformActions(Protocol):
    """The four platform actions a governance policy may put behind maker-checker."""

    async def run_job(
        self, job_id: int, *, idempotency_token: str, parameters: Mapping[str, str] | None = None
    ) -> RunStarted:
        """Start ``job_id`` once per token. ``NotFound`` for an unknown job,
        ``InvalidInput`` for a bad token or parameters, ``Unavailable`` when the
        workspace cannot answer (retrying with the same token is then safe)."""
        ...

    async def cancel_run(self, run_id: int) -> ActionOutcome:
        """Ask the run to stop; ``NotFound`` for an unknown run."""
        ...

    async def delete_secret_scope(self, scope: str) -> ActionOutcome:
        """Delete the scope and all its secrets."""
        ...

    async def delete_secret(self, scope: str, key: str) -> ActionOutcome:
        """Delete one secret (``already_absent`` when it, or its scope, is gone)."""
        ...
