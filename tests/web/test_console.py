"""The governance console over HTTP in-process: what each person sees and may do.

Buttons follow the rules, and the services decide again when a form is
posted anyway; forms without the page's CSRF token are refused; the audit
trail is the auditors'; the console can be left out of an app.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from appkit_testing.memory_app import memory_container
from appkit_web.app import create_app
from tests.web.conftest import ALICE, AUDITOR, BOB, DAVE, LOOPBACK, Api, make_settings, open_client

OVERRIDE = {"entity": "ACME", "metric": "var_99", "period": "2026-Q3", "value": "1300000",
            "justification": "late trade"}  # fmt: skip


class Browser:
    """A cookie-keeping client that acts as one dev user and fills in the CSRF token."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.token = ""

    async def act_as(self, email: str | None) -> None:
        page = await self.http.get("/console/sign-in")
        self.token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        switched = await self.http.post(
            "/console/switch-user", data={"email": email or "", "csrf": self.token}
        )
        assert switched.status_code == 303, switched.text

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get(path)

    async def post(self, path: str, **fields: str) -> httpx.Response:
        return await self.http.post(path, data={"csrf": self.token, **fields})


@pytest.fixture
async def browser(api: Api) -> Browser:
    return Browser(api.client)


async def _propose(browser: Browser) -> str:
    await browser.act_as(ALICE)
    response = await browser.post("/console/propose/override", **OVERRIDE)
    assert response.status_code == 303, response.text
    return response.headers["location"].split("?")[0]


def _buttons(html: str) -> set[str]:
    return set(re.findall(r'<button type="submit"[^>]*formaction="[^"]*/(\w+)"', html))


async def test_someone_not_signed_in_gets_the_sign_in_page_with_the_demo_users(browser: Browser):
    page = await browser.get("/console/inbox")
    assert page.status_code == 401
    assert "Sign in as Alice Steward" in page.text and "Sign in as Dave Reader" in page.text


async def test_the_buttons_follow_the_rules_and_the_server_decides_anyway(browser: Browser):
    request_page = await _propose(browser)
    own = await browser.get(request_page)
    assert _buttons(own.text) == {"withdraw"}
    forced = await browser.post(f"{request_page}/approve")  # posted without the button
    assert forced.status_code == 403 and "self_approval" in forced.text

    await browser.act_as(DAVE)
    assert _buttons((await browser.get(request_page)).text) == set()
    assert (await browser.post(f"{request_page}/approve")).status_code == 403
    assert (await browser.post(f"{request_page}/withdraw")).status_code == 403

    await browser.act_as(BOB)
    inbox = await browser.get("/console/inbox")
    assert request_page in inbox.text and "1250000.000000 → 1300000" in inbox.text
    assert _buttons((await browser.get(request_page)).text) == {"approve", "reject"}
    approved = await browser.post(f"{request_page}/approve", comment="checked")
    assert approved.status_code == 303
    shown = await browser.get(approved.headers["location"])
    assert "APPLIED" in shown.text and "checked" in shown.text and "Approved." in shown.text
    again = await browser.post(f"{request_page}/approve")
    assert again.status_code == 409


async def test_a_write_back_shows_its_diff_and_is_applied_by_an_applier(browser: Browser):
    await browser.act_as(ALICE)
    proposed = await browser.post(
        "/console/propose/change", table="demo.crm.customers", **{"key.customer_id": "2"},
        column="tier", value="gold", reason="annual review",
    )  # fmt: skip
    assert proposed.status_code == 303, proposed.text
    request_page = proposed.headers["location"].split("?")[0]
    diff = (await browser.get(request_page)).text
    assert re.search(r"<del>silver</del>.*<ins>gold</ins>", diff, re.S)
    await browser.act_as(BOB)
    await browser.post(f"{request_page}/approve")
    page = await browser.get(request_page)
    assert "APPROVED" in page.text and _buttons(page.text) == {"apply"}
    await browser.act_as(DAVE)
    assert _buttons((await browser.get(request_page)).text) == set()
    await browser.act_as(BOB)
    applied = await browser.post(f"{request_page}/apply")
    assert applied.status_code == 303
    assert "APPLIED" in (await browser.get(request_page)).text


async def test_a_refused_proposal_keeps_what_was_typed(browser: Browser):
    await browser.act_as(DAVE)
    refused = await browser.post("/console/propose/override", **OVERRIDE)
    assert refused.status_code == 403
    assert 'value="1300000"' in refused.text and "late trade" in refused.text


async def test_a_form_without_the_pages_token_changes_nothing(browser: Browser, api: Api):
    request_page = await _propose(browser)
    await browser.act_as(BOB)
    forged = await browser.http.post(f"{request_page}/approve", data={"csrf": "x" * 32})
    assert forged.status_code == 403 and "csrf_token_mismatch" in forged.text
    approval_id = request_page.rsplit("/", 1)[1]
    assert (await api.get(f"/api/approvals/{approval_id}", BOB)).json()["status"] == "PENDING"


async def test_the_requester_withdraws_with_a_reason(browser: Browser):
    request_page = await _propose(browser)
    withdrawn = await browser.post(f"{request_page}/withdraw", comment="wrong period")
    assert withdrawn.status_code == 303
    page = (await browser.get(request_page)).text
    assert "WITHDRAWN" in page and "wrong period" in page


async def test_dq_exceptions_are_ingested_acknowledged_and_waived_through_approval(
    browser: Browser,
):
    await browser.act_as(ALICE)
    assert (await browser.post("/console/exceptions/ingest")).status_code == 303
    page = (await browser.get("/console/exceptions")).text
    exception_id = re.search(r'action="/console/exceptions/([^/]+)/acknowledge"', page).group(1)  # type: ignore[union-attr]
    await browser.post(f"/console/exceptions/{exception_id}/acknowledge", note="mine")
    waived = await browser.post(f"/console/exceptions/{exception_id}/waive",
                                note="vendor fix next release", until="2027-01-31")  # fmt: skip
    assert waived.status_code == 303
    request_page = waived.headers["location"].split("?")[0]
    await browser.act_as(BOB)
    await browser.post(f"{request_page}/approve")
    listed = (await browser.get("/console/exceptions?status=WAIVED")).text
    assert exception_id in listed
    await browser.act_as(DAVE)  # not the owner, not a maker: no actions offered
    assert "none for you" in (await browser.get("/console/exceptions")).text


async def test_the_audit_trail_is_for_auditors_and_shows_the_first_broken_link(
    browser: Browser, container
):
    await _propose(browser)
    await browser.act_as(DAVE)
    assert (await browser.get("/console/audit")).status_code == 403
    await browser.act_as(AUDITOR)
    page = await browser.get("/console/audit?action=approval.submit")
    assert page.status_code == 200 and "Verified:" in page.text and "approval.submit" in page.text
    store = container.backend.audit_store()
    first = store.rows[0]
    store.rows[0] = type(first)(**{**vars(first), "actor": "mallory"})
    broken = await browser.get("/console/audit")
    assert "Broken: stream" in broken.text and "at sequence 1" in broken.text


async def test_console_pages_load_only_their_own_assets(browser: Browser):
    page = await browser.get("/console/sign-in")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "form-action 'self'" in policy
    assert "http" not in re.sub(r'href="/[^"]*"|src="/[^"]*"', "", page.text.split("<body>")[0])
    assert (await browser.get("/console/static/console.css")).status_code == 200


async def test_an_app_can_leave_the_console_out(tmp_path: Path):
    app = create_app(memory_container(make_settings(tmp_path)), console=False)
    transport = httpx.ASGITransport(app=app, client=LOOPBACK)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        assert (await http.get("/console/inbox")).status_code == 404
        assert (await http.get("/docs")).status_code == 200


@pytest.fixture
async def apps_identity(tmp_path: Path) -> AsyncIterator[Api]:
    settings = make_settings(tmp_path, APPKIT_IDENTITY="databricks-apps")
    async for client in open_client(memory_container(settings)):
        yield client


async def test_behind_the_apps_proxy_there_is_no_switcher(apps_identity: Api):
    page = await apps_identity.get("/console/inbox", ALICE)
    assert page.status_code == 200 and "Act as" not in page.text
    assert "dev identity" not in page.text
    switched = await apps_identity.client.post(
        "/console/switch-user", data={"email": BOB}, headers={"Cookie": f"appkit_dev_user={BOB}"}
    )
    assert switched.status_code == 403
    # the cookie means nothing outside dev identity
    me = await apps_identity.get("/api/me", None, headers={"Cookie": f"appkit_dev_user={BOB}"})
    assert me.status_code == 401


async def test_the_switcher_cookie_is_trusted_from_this_machine_only(tmp_path: Path):
    async for remote in open_client(memory_container(make_settings(tmp_path)), ("10.1.2.3", 1)):
        me = await remote.client.get("/api/me", headers={"Cookie": f"appkit_dev_user={ALICE}"})
        assert me.status_code == 401
