"""Rule 9: a command whose save went stale runs again on fresh state, a bounded number of times."""

from __future__ import annotations

import pytest

from appkit_domain.errors import InvalidInput, StaleVersion
from appkit_domain.versioning import retry_stale


async def test_stale_command_runs_again_until_it_saves() -> None:
    runs: list[int] = []

    async def command() -> str:
        runs.append(len(runs))
        if len(runs) < 3:
            raise StaleVersion("someone saved first")
        return "saved"

    assert await retry_stale(command, attempts=5) == "saved"
    assert len(runs) == 3


async def test_retry_is_bounded_and_the_last_stale_version_propagates() -> None:
    runs: list[int] = []

    async def command() -> None:
        runs.append(1)
        raise StaleVersion("always stale")

    with pytest.raises(StaleVersion):
        await retry_stale(command, attempts=4)
    assert len(runs) == 4


async def test_other_errors_are_not_retried() -> None:
    runs: list[int] = []

    async def command() -> None:
        runs.append(1)
        raise InvalidInput("refused")

    with pytest.raises(InvalidInput):
        await retry_stale(command)
    assert len(runs) == 1


async def test_attempts_below_one_is_invalid_input() -> None:
    async def command() -> None:
        return None

    with pytest.raises(InvalidInput):
        await retry_stale(command, attempts=0)
