"""``POST /api/uc/search`` on the local backend: words in names, comments, columns and tags."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from appkit_web.containers import GovernedAppContainer
from appkit_web.local_backend import local_container
from tests.web.conftest import ALICE, Api, make_settings, open_client

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.asyncio(loop_scope="module"),
]


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> GovernedAppContainer:
    tmp: Path = tmp_path_factory.mktemp("search")
    return local_container(
        make_settings(tmp, APPKIT_BACKEND="local", APPKIT_DATA_DIR=str(tmp / "data"))
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api(local: GovernedAppContainer) -> AsyncIterator[Api]:
    async for client in open_client(local):
        warehouse = local.backend.warehouse()
        await warehouse.execute(
            "COMMENT ON TABLE demo.crm.customers IS 'customer master data of the CRM'"
        )
        await warehouse.execute(
            "ALTER TABLE demo.risk.metrics SET TAGS ('owner' = 'customer risk')"
        )
        yield client


async def _search(api: Api, **body: object) -> list[dict]:
    response = await api.post("/api/uc/search", ALICE, json=body)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_words_match_names_comments_and_tags(api: Api) -> None:
    hits = await _search(api, query="customer data", max_results=10)
    assert [h["full_name"] for h in hits] == ["demo.crm.customers"]
    assert {"name", "comment"} <= set(hits[0]["matched"])  # customer_id is a column too
    tagged = await _search(api, query="customer risk")
    assert tagged[0]["full_name"] == "demo.risk.metrics" and tagged[0]["matched"] == ["tag"]
    named = await _search(api, query="cust*")
    assert [h["full_name"] for h in named] == ["demo.crm.customers"]
    scoped = await _search(api, query="customer", catalog="demo", schema="risk")
    assert [h["full_name"] for h in scoped] == ["demo.risk.metrics"]


async def test_bad_search_input_is_a_4xx(api: Api) -> None:
    assert (await api.post("/api/uc/search", ALICE, json={"query": ""})).status_code == 422
    assert (
        await api.post("/api/uc/search", ALICE, json={"query": "x", "max_results": 0})
    ).status_code == 422
    assert (await api.post("/api/uc/search", None, json={"query": "x"})).status_code == 401
