"""The governance console in a real headless browser: Debian's Chromium driven by Playwright.

``lakehouse-appkit run`` serves the sample app on the local engine; the
browser signs in as alice and proposes an override, switches to bob who
approves it, then as the auditor sees the approval event and a green verify
badge. The layout is checked at 1280 px and 400 px, labels and the keyboard
path are checked on every page visited, and screenshots are kept under
``.ci/artifacts/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, Console

pytestmark = pytest.mark.browser

UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && el.labels.length === 0 && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _shot(page, name: str) -> Path:
    path = ARTIFACTS / f"console-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _fits(page) -> None:
    assert page.evaluate(UNLABELLED) == [], "every form field has a label"
    assert page.evaluate(OVERFLOW) <= 0, "nothing is wider than the window"


def test_alice_proposes_bob_approves_the_auditor_sees_it_verified(console: Console) -> None:
    page = console.page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{console.url}/console")
    assert page.get_by_role("heading", name="Sign in").is_visible()
    page.get_by_role("button", name="Sign in as Alice Steward").click()
    assert "Alice Steward" in page.get_by_test_id("signed-in-as").inner_text()
    _fits(page)

    page.get_by_role("link", name="Propose", exact=True).click()
    form = page.get_by_role("region", name="Override a metric value")
    form.get_by_label("Entity").fill("ACME")
    form.get_by_label("Metric").fill("var_99")
    form.get_by_label("Period").fill("2026-Q3")
    form.get_by_label("New value").fill("1300000")
    form.get_by_label("Justification").fill("booked trade missing from the feed")
    _fits(page)
    form.get_by_role("button", name="Propose override").click()
    assert page.get_by_role("status").inner_text().startswith("Proposed")
    assert page.get_by_test_id("request-status").inner_text() == "PENDING"
    diff = page.get_by_test_id("diff").inner_text()
    assert "1250000" in diff and "1300000" in diff
    assert page.get_by_role("button", name="Approve").count() == 0  # never your own
    assert page.get_by_role("button", name="Withdraw").is_visible()
    request_url = page.url.split("?")[0]
    _shot(page, "1-alice-proposed")

    page.get_by_label("Act as").select_option("bob@example.com")
    page.get_by_role("button", name="Switch").click()
    assert "Bob Approver" in page.get_by_test_id("signed-in-as").inner_text()
    page.get_by_role("link", name="Inbox", exact=True).click()
    awaiting = page.get_by_test_id("awaiting")
    assert "ACME var_99 2026-Q3" in awaiting.inner_text()
    assert re.search(r"\d+ d \d+ h left", awaiting.inner_text())
    awaiting.get_by_role("link", name="Metric override").first.click()
    assert page.url.split("?")[0] == request_url
    page.get_by_label("Comment").fill("checked the trade booking")
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_role("status").inner_text().startswith("Approved")
    assert page.get_by_test_id("request-status").inner_text() == "APPLIED"
    assert "checked the trade booking" in page.get_by_test_id("decisions").inner_text()
    _shot(page, "2-bob-approved")

    page.get_by_label("Act as").select_option("auditor@example.com")
    page.get_by_role("button", name="Switch").click()
    page.get_by_role("link", name="Audit trail", exact=True).click()
    page.get_by_label("Action").fill("approval.approve")
    page.get_by_role("button", name="Filter").click()
    events = page.get_by_test_id("events").inner_text()
    assert "approval.approve" in events and "dev:bob@example.com" in events
    badge = page.get_by_test_id("verify-badge")
    assert badge.inner_text().startswith("Verified")
    color = badge.evaluate("el => getComputedStyle(el).backgroundColor")
    assert color == "rgb(220, 252, 231)"  # the green of an intact log
    _fits(page)
    _shot(page, "3-auditor-verified")

    page.set_viewport_size({"width": 400, "height": 900})
    page.goto(f"{console.url}/console/audit")
    _fits(page)
    _shot(page, "4-auditor-400px")
    page.goto(request_url)
    _fits(page)
    _shot(page, "5-request-400px")


def test_the_keyboard_reaches_the_content_first_and_every_action(console: Console) -> None:
    page = console.page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{console.url}/console/sign-in")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(30):  # tab to the first sign-in button and press it
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").startswith("Sign in as"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/inbox?done=switched")
    assert page.get_by_test_id("signed-in-as").is_visible()


def test_docs_and_redoc_render_with_packaged_assets_only(console: Console) -> None:
    page = console.page
    outside: list[str] = []  # requests to other hosts, unless the page's own policy blocked them

    def note(request: Any) -> None:
        if request.url.startswith(("http:", "https:")) and not request.url.startswith(console.url):
            outside.append(request.url)

    def blocked(request: Any) -> None:
        if request.failure == "csp" and request.url in outside:  # never sent: the policy held
            outside.remove(request.url)

    page.on("request", note)
    page.on("requestfailed", blocked)
    page.goto(f"{console.url}/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
    assert "Lakehouse AppKit" in page.locator(".swagger-ui .info .title").inner_text()
    _shot(page, "6-docs")
    page.goto(f"{console.url}/redoc")
    page.wait_for_selector("h1", timeout=20000)
    assert outside == [], f"requests left the machine: {outside}"
