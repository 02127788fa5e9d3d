"""The example app in examples/sample_app builds with its own rules and serves them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import httpx

from tests.web.conftest import make_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sample_app" / "app.py"


def load_example():
    spec = importlib.util.spec_from_file_location("sample_app_example", EXAMPLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_example_factory_serves_its_own_rules(tmp_path: Path):
    module = load_example()
    app = module.build(make_settings(tmp_path))
    assert app.title == "Risk metrics governance"
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            refused = await client.post(
                "/api/writeback/changes",
                headers={"X-Forwarded-Email": "alice@example.com"},
                json={"table": "demo.crm.customers", "key": {"customer_id": 1},
                      "set": {"tier": "diamond"}, "reason": "r"},
            )  # fmt: skip
            assert refused.status_code == 400
            me = await client.get("/api/me", headers={"X-Forwarded-Email": "bob@example.com"})
            assert me.json()["roles"] == ["approver"]
